#!/usr/bin/env node
'use strict';
/**
 * The read path (scenario 1's task(id) bodies, 50 connections, signed) against gateways started
 * with different settings, and the floor, in alternating order: req/s and CPU per request of each.
 * For checking one change by switching it off: e.g.
 *   node bench/variants.js mariadb '{"floor":{},"direct":{},"apollo":{"TASKGATE_DIRECT_EXECUTION":"off"}}'
 * Each key names a variant; its value is extra gateway environment ("floor" runs the floor server).
 */
const { benchDatabase, taskId } = require('./lib/db');
const { cpuTimeOf, httpLoad, startFloor, startGateway } = require('./lib/processes');
const { readBodies } = require('./lib/operations');
const { signer } = require('./lib/auth');

async function main() {
  const kind = process.argv[2] ?? 'mariadb';
  const variants = JSON.parse(process.argv[3] ?? '{"floor":{},"gateway":{}}');
  const rounds = Number(process.argv[4] ?? 2);
  const db = await benchDatabase(kind);
  try {
    // A gateway migrates the fresh database before the seed (the floor cannot).
    const migrator = await startGateway({ databaseUrl: db.url });
    await db.seed(1000);
    await migrator.stop();
    const bodies = readBodies(Array.from({ length: 200 }, (_, i) => taskId((i * 7) % 1000)));
    for (let round = 1; round <= rounds; round++) {
      for (const [name, env] of Object.entries(variants)) {
        const server = name === 'floor' ? await startFloor('floor-server.js', db.floorEnv) : await startGateway({ databaseUrl: db.url, env });
        try {
          const load = (duration) => httpLoad({ url: `${server.url}/graphql`, bodies, duration, connections: 50, signer: signer.spec });
          await load(2);
          const before = cpuTimeOf(server.child.pid);
          const result = await load(4);
          const cpu = (cpuTimeOf(server.child.pid) - before) / result.requests;
          console.log(`round ${round} ${name.padEnd(12)} ${Math.round(result.requestsPerSecond)} req/s, ${Math.round(cpu)} µs CPU per request`);
        } finally {
          await server.stop();
        }
      }
    }
  } finally {
    await db.drop();
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
