#!/usr/bin/env node
'use strict';
/**
 * Issue 13's cost-limit attacks (items 1, 2, 7, 9, 10) against a production-mode gateway on a
 * seeded SQLite file, with the figures the issue gave: status, bytes answered, time, the
 * gateway's peak RSS and the slowest /healthz answer while it ran. Not part of `npm test`.
 *
 * Usage: node bench/cost-attacks.js [path/to/dist/src/main.js]   (default: this checkout's dist)
 * Compare: node bench/cost-attacks.js /work/main/dist/src/main.js   (a build before the fix)
 *
 * Authentication is off so the attacks need no signer; the cost rules do not depend on it.
 */
const { spawn } = require('node:child_process');
const { mkdtempSync, readFileSync, rmSync } = require('node:fs');
const { tmpdir } = require('node:os');
const { join, resolve } = require('node:path');
const net = require('node:net');

const main = resolve(process.argv[2] ?? join(__dirname, '..', 'dist', 'src', 'main.js'));
const tasks = Number(process.env.ATTACK_TASKS ?? 500);

function freePort() {
  return new Promise((done) => {
    const server = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => done(port));
    });
  });
}

async function post(base, body) {
  const started = performance.now();
  const response = await fetch(`${base}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const text = await response.text();
  let codes = [];
  try {
    codes = (JSON.parse(text).errors ?? []).map((e) => e.extensions?.code);
  } catch {
    codes = ['(not JSON)'];
  }
  return { status: response.status, bytes: Buffer.byteLength(text), ms: Math.round(performance.now() - started), codes: [...new Set(codes)] };
}

/** Polls /healthz while `work` runs; the slowest answer in milliseconds. */
async function healthDuring(base, work) {
  let slowest = 0;
  let running = true;
  const poll = (async () => {
    while (running) {
      const started = performance.now();
      await fetch(`${base}/healthz`).then((r) => r.text()).catch(() => undefined);
      slowest = Math.max(slowest, performance.now() - started);
      await new Promise((r) => setTimeout(r, 50));
    }
  })();
  const result = await work();
  running = false;
  await poll;
  return { ...result, healthzSlowestMs: Math.round(slowest) };
}

const peakRssMb = (pid) => Math.round(Number(/VmHWM:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))[1]) / 1024);
const rssMb = (pid) => Math.round(Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))[1]) / 1024);

async function run() {
  const dir = mkdtempSync(join(tmpdir(), 'taskgate-attacks-'));
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const child = spawn(process.execPath, [main], {
    cwd: dir,
    env: { ...process.env, NODE_ENV: 'production', TASKGATE_AUTH: 'off', PORT: String(port), HOST: '127.0.0.1', DATABASE_URL: `sqlite:${join(dir, 'tasks.db')}`, LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  try {
    for (let i = 0; ; i++) {
      if (await fetch(`${base}/healthz`).then((r) => r.ok).catch(() => false)) break;
      if (i > 600) throw new Error('the gateway did not start');
      await new Promise((r) => setTimeout(r, 50));
    }
    // Seed: tasks with a 1000-character description and three events each.
    const description = 'd'.repeat(1000);
    const create = { query: 'mutation($d: String!) { createTask(input: {description: $d, status: IN_PROGRESS}) { id } }', variables: { d: description } };
    const update = (id, step) => ({ query: 'mutation($id: ID!, $log: String!) { updateTask(id: $id, input: {log: $log}) { id } }', variables: { id, log: `step ${step}` } });
    for (let i = 0; i < tasks; i += 25) {
      const created = await Promise.all(
        Array.from({ length: Math.min(25, tasks - i) }, () =>
          fetch(`${base}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(create) }).then((r) => r.json()),
        ),
      );
      for (const step of [1, 2]) await Promise.all(created.map((c) => post(base, update(c.data.createTask.id, step))));
    }
    const figures = {};
    const heavy = (n) => Array.from({ length: n }, (_, i) => `a${i}: tasks(first: 500) { edges { node { history(first: 500) { task { description } } } } }`).join(' ');

    figures['1: null into a non-null argument, 14 aliases'] = await healthDuring(base, () =>
      post(base, { query: `query Q($id: ID = "00000000-0000-4000-8000-000000000000") { task(id: $id) { id } ${heavy(14)} }`, variables: { id: null } }),
    );
    const include = `query I($x: Boolean!) { lastEventId ${heavy(14).replace(/tasks\(first: 500\)/g, 'tasks(first: 500) @include(if: $x)')} }`;
    await post(base, { query: include, variables: { x: false } });
    figures['2: @include priced false, run true, 14 aliases'] = await healthDuring(base, () => post(base, { query: include, variables: { x: true } }));

    const before = rssMb(child.pid);
    const padded = [];
    for (let i = 0; i < 300; i++) padded.push(await post(base, { query: `{ lastEventId } # ${i} ${'x'.repeat(900_000)}` }));
    figures['7: 300 documents padded to 900 KB'] = { statuses: [...new Set(padded.map((p) => p.status))], codes: [...new Set(padded.flatMap((p) => p.codes))], rssGrowthMb: rssMb(child.pid) - before };

    figures['9: 4 totalCount in one request'] = await post(base, { query: `{ ${Array.from({ length: 4 }, (_, i) => `c${i}: tasks { totalCount }`).join(' ')} }` });
    figures['9: 15 totalCount in one request'] = await post(base, { query: `{ ${Array.from({ length: 15 }, (_, i) => `c${i}: tasks { totalCount }`).join(' ')} }` });

    // Item 10: 60 KB logs on every task (and on the events that wrote them), then 8 readers at once.
    const ids = [];
    for (let after = null; ; ) {
      const page = await fetch(`${base}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: 'query($a: String) { tasks(first: 500, after: $a) { edges { node { id } } pageInfo { hasNextPage endCursor } } }', variables: { a: after } }) }).then((r) => r.json());
      ids.push(...page.data.tasks.edges.map((e) => e.node.id));
      if (!page.data.tasks.pageInfo.hasNextPage) break;
      after = page.data.tasks.pageInfo.endCursor;
    }
    const log = 'l'.repeat(60_000);
    for (let i = 0; i < ids.length; i += 25) await Promise.all(ids.slice(i, i + 25).map((id) => post(base, { query: 'mutation($id: ID!, $log: String!) { updateTask(id: $id, input: {log: $log}) { id } }', variables: { id, log } })));
    const rssBefore = rssMb(child.pid);
    const readers = await healthDuring(base, async () => {
      const answers = await Promise.all(Array.from({ length: 8 }, () => post(base, { query: '{ tasks(first: 500) { edges { node { log history(first: 3) { log } } } } }' })));
      return { statuses: [...new Set(answers.map((a) => a.status))], codes: [...new Set(answers.flatMap((a) => a.codes))], bytesEach: answers[0].bytes, msSlowest: Math.max(...answers.map((a) => a.ms)) };
    });
    figures['10: 8 readers of 500 tasks with 60 KB logs and their last 3 events'] = { ...readers, peakRssGrowthMb: peakRssMb(child.pid) - rssBefore };
    figures.peakRssMb = peakRssMb(child.pid);
    console.log(JSON.stringify({ gateway: main, tasks, figures }, null, 2));
  } finally {
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
    rmSync(dir, { recursive: true, force: true });
  }
}

run().catch((error) => {
  console.error(error);
  process.exit(1);
});
