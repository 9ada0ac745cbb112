#!/usr/bin/env node
'use strict';
/**
 * Where does the gateway's time go? Starts the gateway under `node --cpu-prof`, drives it with
 * autocannon (own process) for a while, stops it, and summarises the profile: self time by
 * function and by package. `node bench/profile.js [read|rest|list|write] [seconds] [sqlite|mariadb]`.
 * The raw .cpuprofile stays in bench/results/profiles/ (open it in Chrome DevTools).
 */
const { mkdirSync, readdirSync, readFileSync, rmSync } = require('node:fs');
const { join } = require('node:path');
const { benchDatabase, taskId, mariadbAvailable } = require('./lib/db');
const { httpLoad, startGateway } = require('./lib/processes');
const { readBodies, listBodies, writeBodies } = require('./lib/operations');

const [workload = 'read', seconds = '10', kindArg] = process.argv.slice(2);

async function main() {
  const kind = kindArg ?? ((await mariadbAvailable()) ? 'mariadb' : 'sqlite');
  const dir = join(__dirname, 'results', 'profiles', `${workload}-${kind}`);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const db = await benchDatabase(kind);
  const gateway = await startGateway({ databaseUrl: db.url, nodeArgs: ['--cpu-prof', `--cpu-prof-dir=${dir}`] });
  try {
    const ids = Array.from({ length: 200 }, (_, i) => taskId(i));
    await db.seed(1000, { status: workload === 'write' ? 'IN_PROGRESS' : 'PENDING' });
    const bodies = workload === 'list' ? listBodies('PENDING', 100) : workload === 'write' ? writeBodies(ids) : readBodies(ids);
    // `rest`: the same reads as `read`, through the legacy door (GET /api/virtshell/v1/tasks/:id).
    const restPaths = ids.map((id) => `/api/virtshell/v1/tasks/${id}`);
    const load =
      workload === 'rest'
        ? { url: `${gateway.url}${restPaths[0]}`, method: 'GET', headers: { accept: 'application/json' }, paths: restPaths }
        : { url: `${gateway.url}/graphql`, bodies };
    const result = await httpLoad({ ...load, duration: Number(seconds), connections: 50 });
    console.log(`${workload} on ${kind}: ${Math.round(result.requestsPerSecond)} req/s under the profiler`);
  } finally {
    await gateway.stop();
    await db.drop();
  }
  const file = readdirSync(dir).find((f) => f.endsWith('.cpuprofile'));
  summarise(JSON.parse(readFileSync(join(dir, file), 'utf8')));
  console.log(`profile: ${join(dir, file)}`);
}

function summarise(profile) {
  // Also used by other scripts: require('./profile').summarise
  const dt = new Map();
  for (let i = 0; i < profile.samples.length; i++) dt.set(profile.samples[i], (dt.get(profile.samples[i]) ?? 0) + (profile.timeDeltas[i] ?? 0));
  const total = [...dt.values()].reduce((a, b) => a + b, 0);
  const byFunction = new Map();
  const byPackage = new Map();
  for (const node of profile.nodes) {
    const self = dt.get(node.id) ?? 0;
    if (!self) continue;
    const { functionName, url, lineNumber } = node.callFrame;
    const where = url.replace(/^file:\/\//, '');
    const pkg = /node_modules\/((@[^/]+\/)?[^/]+)/.exec(where)?.[1] ?? (where.includes('/dist/src/') ? 'taskgate' : where.startsWith('node:') ? 'node core' : where || functionName || '(native)');
    const key = `${functionName || '(anonymous)'} ${where.split('/').slice(-2).join('/')}:${lineNumber + 1}`;
    byFunction.set(key, (byFunction.get(key) ?? 0) + self);
    byPackage.set(pkg, (byPackage.get(pkg) ?? 0) + self);
  }
  const top = (map, n) => [...map.entries()].sort((a, b) => b[1] - a[1]).slice(0, n).map(([k, v]) => `${((100 * v) / total).toFixed(1).padStart(5)}%  ${k}`);
  console.log('self time by package:\n' + top(byPackage, 15).join('\n'));
  console.log('\nself time by function:\n' + top(byFunction, 30).join('\n'));
}

if (require.main === module) {
  main().catch((error) => {
    console.error(error);
    process.exit(1);
  });
}
module.exports = { summarise };
