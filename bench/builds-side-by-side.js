#!/usr/bin/env node
'use strict';
/**
 * Two builds of the gateway at once on one database, loaded in turn (ABBA over the rounds) with
 * scenario 1's signed task(id) reads: both see the same windows of a shared machine, so their CPU
 * time per request (from /proc) can be compared round by round. Each side's dist/ must be built.
 * Usage: node bench/builds-side-by-side.js <repo A> <repo B> [sqlite|mariadb] [rounds] [seconds]
 */
const { readFileSync } = require('node:fs');
const { resolve } = require('node:path');
const { benchDatabase, taskId } = require('./lib/db');
const { httpLoad } = require('./lib/processes');
const { readBodies } = require('./lib/operations');

const [repoA, repoB, kind = 'sqlite', roundsArg = '6', secondsArg = '3'] = process.argv.slice(2);
if (!repoA || !repoB) {
  console.error('usage: node bench/builds-side-by-side.js <repo A> <repo B> [sqlite|mariadb] [rounds] [seconds]');
  process.exit(2);
}

/** User + system CPU time of a process, in µs. */
function cpuMicros(pid) {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10_000;
}

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length / 2;
  return sorted.length % 2 ? sorted[Math.floor(middle)] : (sorted[middle - 1] + sorted[middle]) / 2;
};

async function main() {
  const db = await benchDatabase(kind);
  const sides = [];
  try {
    for (const repo of [repoA, repoB]) {
      const { startGateway } = require(resolve(repo, 'bench/lib/processes'));
      sides.push({ repo, gateway: await startGateway({ databaseUrl: db.url }), rounds: [] });
    }
    await db.seed(1000, { status: 'PENDING' });
    const bodies = readBodies(Array.from({ length: 200 }, (_, i) => taskId(i)));
    for (const side of sides) await httpLoad({ url: `${side.gateway.url}/graphql`, bodies, duration: 2, connections: 50 });
    for (let round = 0; round < Number(roundsArg); round++) {
      for (const side of round % 2 === 0 ? sides : [...sides].reverse()) {
        const before = cpuMicros(side.gateway.child.pid);
        const load = await httpLoad({ url: `${side.gateway.url}/graphql`, bodies, duration: Number(secondsArg), connections: 50 });
        side.rounds.push({ rps: Math.round(load.requestsPerSecond), cpu: (cpuMicros(side.gateway.child.pid) - before) / load.requests });
      }
    }
  } finally {
    for (const side of sides) await side.gateway.stop();
    await db.drop();
  }
  for (const side of sides) {
    console.log(`${side.repo}: req/s ${side.rounds.map((r) => r.rps).join(', ')}; CPU µs per request ${side.rounds.map((r) => r.cpu.toFixed(1)).join(', ')} (median ${median(side.rounds.map((r) => r.cpu)).toFixed(1)})`);
  }
  const ratios = sides[1].rounds.map((r, i) => r.cpu / sides[0].rounds[i].cpu);
  console.log(`${kind}: B / A CPU per request by round ${ratios.map((r) => r.toFixed(2)).join(', ')} (median ${median(ratios).toFixed(2)}); load average ${readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ')}`);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
