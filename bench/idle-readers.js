#!/usr/bin/env node
'use strict';
/**
 * Memory an idle GET /tasks/ reader holds (issue 13, finding 10): seeds tasks with 64 KB logs on
 * SQLite, opens N streamed listings that read nothing after the headers, and prints the gateway's
 * RSS before and with them open.
 *
 *   node bench/idle-readers.js [readers=10] [tasks=2000] [--gateway path/to/dist/src/main.js]
 */
const http = require('node:http');
const { spawn } = require('node:child_process');
const { mkdtempSync, rmSync } = require('node:fs');
const { tmpdir } = require('node:os');
const { join } = require('node:path');
const { signer, gatewayEnv } = require('./lib/auth');
const { freePort, gatewayMain, memoryOf, sleep, stopProcess, waitForHttp } = require('./lib/processes');

const args = process.argv.slice(2);
const gatewayArg = args.indexOf('--gateway');
const main = gatewayArg === -1 ? gatewayMain : args[gatewayArg + 1];
const numbers = args.filter((a, i) => /^\d+$/.test(a) && args[i - 1] !== '--gateway').map(Number);
const readers = numbers[0] ?? 10;
const tasks = numbers[1] ?? 2000;

async function start(file) {
  const port = await freePort();
  const child = spawn(process.execPath, [main], {
    // One bench key opens every reader: the per-key ceiling is lifted to measure the memory of each.
    env: { ...process.env, NODE_ENV: 'production', LOG_LEVEL: 'warn', HOST: '127.0.0.1', PORT: String(port), DATABASE_URL: `sqlite:${file}`, TASKGATE_FAIR_LISTINGS: '1000', ...gatewayEnv },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  await waitForHttp(child, port);
  return { child, port };
}

function seed(file) {
  const Database = require('better-sqlite3');
  const db = new Database(file);
  const log = 'x'.repeat(64 * 1024 - 1);
  const insert = db.prepare("INSERT INTO tasks (uuid, description, status, stage, type, object_uuid, created_at, created_by, last_update, log, version) VALUES (?, 'big log', 'PENDING', 'pending', 'big', NULL, ?, 'bench', ?, ?, 1)");
  db.transaction(() => {
    for (let i = 0; i < tasks; i++) {
      const at = new Date(Date.UTC(2026, 0, 1) + i * 1000).toISOString().slice(0, 23).replace('T', ' ');
      insert.run(`${i.toString(16).padStart(8, '0')}-0000-4000-8000-000000000000`, at, at, log);
    }
  })();
  db.close();
}

/** Opens GET /tasks/ and reads nothing after the headers (the socket's receive buffer fills, then the server's). */
function idleReader(port) {
  return new Promise((resolve, reject) => {
    const headers = signer.headers('GET', `127.0.0.1:${port}`, '/tasks/');
    const req = http.get({ host: '127.0.0.1', port, path: '/tasks/', headers }, (res) => {
      res.pause();
      resolve({ status: res.statusCode, close: () => req.destroy() });
    });
    req.on('error', reject);
  });
}

async function main_() {
  const dir = mkdtempSync(join(tmpdir(), 'taskgate-idle-'));
  const file = join(dir, 'tasks.db');
  let gateway = await start(file);
  await stopProcess(gateway.child);
  seed(file);
  gateway = await start(file);
  try {
    await sleep(500);
    const before = memoryOf(gateway.child.pid).rss;
    const open = [];
    for (let i = 0; i < readers; i++) open.push(await idleReader(gateway.port));
    await sleep(3000);
    const during = memoryOf(gateway.child.pid);
    const mb = (n) => Math.round(n / 1048576);
    console.log(JSON.stringify({ gateway: main, readers, tasks, logBytes: 65535, statuses: open.map((r) => r.status), rssBeforeMb: mb(before), rssWithReadersMb: mb(during.rss), peakRssMb: mb(during.peakRss), perReaderMb: Math.round((during.rss - before) / readers / 1048576 * 10) / 10 }));
    for (const reader of open) reader.close();
  } finally {
    await stopProcess(gateway.child);
    rmSync(dir, { recursive: true, force: true });
  }
}

main_().catch((error) => {
  console.error(error);
  process.exit(1);
});
