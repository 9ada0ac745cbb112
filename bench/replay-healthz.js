#!/usr/bin/env node
'use strict';
/**
 * How long GET /healthz waits while one client replays the whole event history on SQLite, and
 * whether the replay keeps running after that client disconnects (issue 13, finding 3).
 *
 *   node bench/replay-healthz.js [events=200000] [--gateway path/to/dist/src/main.js]
 *
 * Starts the gateway from dist/ (or --gateway, e.g. another checkout's build, to compare) on a
 * fresh SQLite file, seeds `events` task events with bulk INSERTs, then:
 *  1. replay: a graphql-ws client subscribes with after: "0" and reads as fast as it can while
 *     /healthz is asked again and again; prints /healthz latency (median, p99, max) and how long
 *     the replay took;
 *  2. disconnect: a client subscribes with after: "0", disconnects after 5,000 events, and the
 *     gateway's CPU time over the next two seconds says whether its replay went on.
 */
const { spawn } = require('node:child_process');
const { mkdtempSync, rmSync } = require('node:fs');
const { tmpdir } = require('node:os');
const { join } = require('node:path');
const { createClient } = require('graphql-ws');
const WebSocket = require('ws');
const { signer, gatewayEnv } = require('./lib/auth');
const { cpuTimeOf, freePort, gatewayMain, sleep, stopProcess, waitForHttp } = require('./lib/processes');
const { percentile } = require('./lib/stats');

const args = process.argv.slice(2);
const gatewayArg = args.indexOf('--gateway');
const main = gatewayArg === -1 ? gatewayMain : args[gatewayArg + 1];
const total = Number(args.find((a, i) => /^\d+$/.test(a) && args[i - 1] !== '--gateway') ?? 200_000);
const query = 'subscription Replay { taskUpdated(after: "0") { id status } }';

function seed(file, events) {
  const Database = require('better-sqlite3');
  const db = new Database(file);
  db.pragma('busy_timeout = 5000');
  const perTask = 100;
  const at = '2026-01-01 00:00:00.000';
  const task = db.prepare("INSERT INTO tasks (uuid, description, status, stage, type, object_uuid, created_at, created_by, last_update, log, version) VALUES (?, 'replay', 'IN_PROGRESS', 'in progress', 'replay', NULL, ?, 'bench', ?, NULL, ?)");
  const event = db.prepare("INSERT INTO task_events (task_uuid, kind, version, status, stage, previous_status, previous_stage, log, changed_at, changed_by) VALUES (?, 'UPDATED', ?, 'IN_PROGRESS', 'in progress', 'IN_PROGRESS', 'in progress', 'replayed', ?, 'bench')");
  db.transaction(() => {
    for (let t = 0; t * perTask < events; t++) {
      const uuid = `${t.toString(16).padStart(8, '0')}-0000-4000-8000-000000000000`;
      const versions = Math.min(perTask, events - t * perTask);
      task.run(uuid, at, at, versions);
      for (let v = 1; v <= versions; v++) event.run(uuid, v, at);
    }
  })();
  db.close();
}

async function startGateway(file) {
  const port = await freePort();
  const child = spawn(process.execPath, [main], {
    env: { ...process.env, NODE_ENV: 'production', LOG_LEVEL: 'warn', HOST: '127.0.0.1', PORT: String(port), DATABASE_URL: `sqlite:${file}`, ...gatewayEnv },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  await waitForHttp(child, port);
  return { child, port };
}

function subscribe(port, onEvent) {
  const client = createClient({
    url: `ws://127.0.0.1:${port}/graphql`,
    webSocketImpl: WebSocket,
    lazy: false,
    retryAttempts: 0,
    connectionParams: () => signer.connectionParams(`127.0.0.1:${port}`),
    onNonLazyError: () => undefined,
  });
  let done;
  const finished = new Promise((resolve) => (done = resolve));
  client.subscribe({ query }, { next: onEvent, error: (e) => done(e), complete: () => done() });
  return { client, finished };
}

async function healthz(port) {
  const t0 = performance.now();
  const response = await fetch(`http://127.0.0.1:${port}/healthz`);
  await response.arrayBuffer();
  return performance.now() - t0;
}

async function main_() {
  const dir = mkdtempSync(join(tmpdir(), 'taskgate-replay-'));
  const file = join(dir, 'tasks.db');
  let gateway = await startGateway(file); // migrates
  await stopProcess(gateway.child);
  const seedStart = performance.now();
  seed(file, total);
  process.stderr.write(`seeded ${total} events in ${Math.round(performance.now() - seedStart)} ms\n`);
  gateway = await startGateway(file);
  try {
    // 1. Replay with /healthz asked meanwhile.
    let received = 0;
    const t0 = performance.now();
    const replay = subscribe(gateway.port, () => received++);
    while (received === 0) await sleep(1);
    const latencies = [];
    let replayMs;
    replay.finished.then(() => undefined);
    while (received < total) {
      latencies.push(await healthz(gateway.port));
      await sleep(10);
    }
    replayMs = performance.now() - t0;
    await replay.client.dispose();
    latencies.sort((a, b) => a - b);
    const r = (n) => Math.round(n * 10) / 10;
    console.log(JSON.stringify({
      gateway: main,
      events: total,
      replaySeconds: r(replayMs / 1000),
      healthzAnswersDuringReplay: latencies.length,
      healthzMs: { median: r(percentile(latencies, 50)), p99: r(percentile(latencies, 99)), max: r(latencies[latencies.length - 1] ?? NaN) },
    }));

    // 2. Disconnect after 5,000 events: does the gateway keep working on the replay?
    let got = 0;
    const early = subscribe(gateway.port, () => got++);
    while (got < 5000) await sleep(1);
    await early.client.dispose();
    const cpu0 = cpuTimeOf(gateway.child.pid);
    const after = [];
    const until = performance.now() + 2000;
    while (performance.now() < until) {
      after.push(await healthz(gateway.port));
      await sleep(10);
    }
    after.sort((a, b) => a - b);
    console.log(JSON.stringify({
      disconnectedAfterEvents: got,
      gatewayCpuMsInTwoSecondsAfterDisconnect: Math.round((cpuTimeOf(gateway.child.pid) - cpu0) / 1000),
      healthzMsAfterDisconnect: { max: r(after[after.length - 1] ?? NaN), answers: after.length },
    }));
  } finally {
    await stopProcess(gateway.child);
    rmSync(dir, { recursive: true, force: true });
  }
}

main_().catch((error) => {
  console.error(error);
  process.exit(1);
});
