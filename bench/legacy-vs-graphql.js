#!/usr/bin/env node
// Legacy REST vs GraphQL for the same reads: GET /tasks/:id against POST /graphql { task(id) },
// and a page of 100 (GET /tasks?limit=100 against tasks(first: 100)), with the same fields, on the compiled server in a child process, keep-alive, 16 in flight.
// Usage: npm run build && node bench/legacy-vs-graphql.js [requests per round, default 4000]
const { spawn } = require('node:child_process');
const { mkdtempSync, rmSync } = require('node:fs');
const http = require('node:http');
const { tmpdir } = require('node:os');
const { join } = require('node:path');

const perRound = Number(process.argv[2] ?? 4000);
const concurrency = 16;
const dir = mkdtempSync(join(tmpdir(), 'taskgate-bench-'));
const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });

function call(port, method, path, body, headers = {}) {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, method, path, agent, headers: body ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), ...headers } : headers }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => (res.statusCode === 200 ? resolve(Buffer.concat(chunks).toString()) : reject(new Error(`${res.statusCode} ${Buffer.concat(chunks)}`))));
    });
    req.on('error', reject);
    req.end(body);
  });
}

async function round(perRound, send) {
  let next = 0;
  const started = process.hrtime.bigint();
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (next++ < perRound) await send();
  }));
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  return perRound / seconds;
}

(async () => {
  const child = spawn(process.execPath, [join(__dirname, '..', 'dist', 'src', 'main.js')], {
    env: { ...process.env, PORT: '0', HOST: '127.0.0.1', DATABASE_URL: `sqlite:${join(dir, 'bench.db')}`, LOG_LEVEL: 'info', NODE_ENV: 'production' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const port = await new Promise((resolve) => {
    let seen = '';
    child.stdout.on('data', (c) => {
      seen += c;
      const m = /"url":"http:\/\/[^:]+:(\d+)\/graphql"/.exec(seen);
      if (m) resolve(Number(m[1]));
    });
  });
  child.stdout.resume();
  try {
    const created = JSON.parse(await call(port, 'POST', '/tasks', JSON.stringify({ description: 'bench task', status: 'in progress', type: 'create_instance' })));
    const id = created.task_id;
    const query = JSON.stringify({ query: 'query($id: ID!) { task(id: $id) { id description status type objectUuid created { at by } lastUpdate log version } }', variables: { id } });
    for (let i = 0; i < 120; i++) await call(port, 'POST', '/tasks', JSON.stringify({ description: `bench task ${i}` }));
    const pageQuery = JSON.stringify({ query: 'query { tasks(first: 100) { edges { node { id description status type objectUuid created { at by } lastUpdate log version } } pageInfo { hasNextPage endCursor } } }' });
    const pairs = [
      ['GET /tasks/:id', () => call(port, 'GET', `/api/virtshell/v1/tasks/${id}`), 'task(id)', () => call(port, 'POST', '/graphql', query), perRound],
      ['GET /tasks?limit=100', () => call(port, 'GET', '/api/virtshell/v1/tasks?limit=100'), 'tasks(first: 100)', () => call(port, 'POST', '/graphql', pageQuery), perRound / 10],
    ];
    const best = (xs) => Math.max(...xs);
    for (const [restLabel, rest, gqlLabel, graphql, n] of pairs) {
      const results = { rest: [], graphql: [] };
      await round(n, rest);
      await round(n, graphql);
      for (let i = 0; i < 3; i++) {
        results.rest.push(await round(n, rest));
        results.graphql.push(await round(n, graphql));
      }
      console.log(`${restLabel.padEnd(22)} ${best(results.rest).toFixed(0)} req/s | /graphql ${gqlLabel.padEnd(18)} ${best(results.graphql).toFixed(0)} req/s | REST/GraphQL ${(best(results.rest) / best(results.graphql)).toFixed(2)}x (target >= 0.9x; best of 3 rounds of ${n})`);
    }
  } finally {
    child.kill('SIGTERM');
    agent.destroy();
    await new Promise((r) => child.once('exit', r));
    rmSync(dir, { recursive: true, force: true });
  }
})();
