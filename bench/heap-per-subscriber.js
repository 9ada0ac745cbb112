#!/usr/bin/env node
'use strict';
/**
 * What the gateway's heap holds per idle subscriber, by kind of object: `node
 * bench/heap-per-subscriber.js [count=2000]`. Starts the gateway (dist/, SQLite) with
 * --heapsnapshot-signal, takes a snapshot before and after `count` graphql-ws subscribers (the
 * fan-out scenario's document), and prints the growth per subscriber (self sizes; a snapshot
 * collects garbage first, so this is what stays, unlike the RSS that scenario 5 judges).
 */
const { mkdtempSync, readdirSync, readFileSync, renameSync, rmSync } = require('node:fs');
const { tmpdir } = require('node:os');
const { join } = require('node:path');
const { startGateway, sleep } = require('./lib/processes');
const { benchDatabase } = require('./lib/db');
const { Swarm } = require('./lib/swarm');

const count = Number(process.argv[2] ?? 2000);
const subscription = 'subscription { taskStatusChanged(status: IN_PROGRESS) { id status task { id } } }';

/** Self size and count per `type:name` of a snapshot's nodes. */
function summarise(file) {
  const snapshot = JSON.parse(readFileSync(file, 'utf8'));
  const fields = snapshot.snapshot.meta.node_fields;
  const types = snapshot.snapshot.meta.node_types[0];
  const [type, name, size] = ['type', 'name', 'self_size'].map((f) => fields.indexOf(f));
  const byKind = new Map();
  let total = 0;
  for (let i = 0; i < snapshot.nodes.length; i += fields.length) {
    const kind = `${types[snapshot.nodes[i + type]]}:${snapshot.strings[snapshot.nodes[i + name]].slice(0, 50)}`;
    const entry = byKind.get(kind) ?? { count: 0, bytes: 0 };
    entry.count++;
    entry.bytes += snapshot.nodes[i + size];
    byKind.set(kind, entry);
    total += snapshot.nodes[i + size];
  }
  return { byKind, total };
}

async function main() {
  const dir = mkdtempSync(join(tmpdir(), 'taskgate-heap-'));
  const db = await benchDatabase('sqlite');
  const server = await startGateway({ databaseUrl: db.url, nodeArgs: ['--heapsnapshot-signal=SIGUSR2', `--diagnostic-dir=${dir}`] });
  const swarm = new Swarm();
  const snapshot = async (name) => {
    const before = new Set(readdirSync(dir));
    process.kill(server.child.pid, 'SIGUSR2');
    // Written in one go once named; wait until the file stops growing.
    for (let last = -1; ; await sleep(250)) {
      const file = readdirSync(dir).find((f) => !before.has(f) && f.endsWith('.heapsnapshot'));
      if (!file) continue;
      const size = readFileSync(join(dir, file)).length;
      if (size > 0 && size === last) return (renameSync(join(dir, file), join(dir, name)), join(dir, name));
      last = size;
    }
  };
  try {
    await db.seed(20, { prefix: 2 });
    const before = summarise(await snapshot('before.heapsnapshot'));
    const opened = await swarm.open({ urls: [`ws://127.0.0.1:${server.port}/graphql`], count, query: subscription });
    if (opened.connected < count) throw new Error(`${count - opened.connected} of ${count} subscribers could not connect: ${opened.firstError}`);
    const after = summarise(await snapshot('after.heapsnapshot'));
    console.log(`heap per idle subscriber: ${((after.total - before.total) / count).toFixed(0)} bytes (${count} subscribers)`);
    const rows = [...after.byKind].map(([kind, a]) => {
      const b = before.byKind.get(kind) ?? { count: 0, bytes: 0 };
      return { kind, count: (a.count - b.count) / count, bytes: (a.bytes - b.bytes) / count };
    });
    rows.sort((x, y) => y.bytes - x.bytes);
    for (const row of rows.slice(0, 25)) console.log(`${row.bytes.toFixed(0).padStart(6)} B ${row.count.toFixed(2).padStart(6)} x ${row.kind}`);
  } finally {
    await swarm.close();
    await server.stop();
    await db.drop();
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
