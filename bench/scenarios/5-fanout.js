'use strict';
const { benchDatabase } = require('../lib/db');
const { judge, notAvailable } = require('../lib/kit');
const { startFloor, startGateway } = require('../lib/processes');
const { Swarm, probeWebSocket } = require('../lib/swarm');
const { oneChange, subscribeAll, sustained, singleId, median } = require('../lib/fanout');
const { round } = require('../lib/stats');

/**
 * Scenario 5: N idle graphql-ws subscribers on one gateway (clients in other processes), one
 * change, time until every subscriber has it; memory per idle subscriber; then a sustained
 * rate of changes to 1,000 subscribers with nothing missing.
 */
module.exports = {
  id: 5,
  title: 'Fan-out: N idle subscribers to taskStatusChanged(status: IN_PROGRESS), one change',
  target: '10,000 subscribers all receive, p99 <= 200 ms; <= 15 KB per idle subscriber; sustained 200 changes/s to 1,000 for 30 s, 0 missing',
  async run(ctx) {
    const kind = ctx.kinds[0];
    const rows = [];
    for (const count of ctx.fanoutSizes) {
      const row = await oneChangeRun(ctx, kind, count);
      if (row.unavailable) return notAvailable(this.id, this.title, row.unavailable, this.target);
      const atScale = count >= 10000;
      rows.push({
        label: row.label,
        status: row.missing ? 'MISSED' : atScale ? judge(row.p99Ms, 200, false) : 'reported',
        ...row,
        // The target is per idle subscriber at scale (10,000): at smaller N the process's fixed growth dominates RSS delta / N.
        memoryStatus: atScale ? judge(row.kbPerIdleSubscriber, 15, false) : 'reported',
      });
    }
    // The same one change through the fan-out floor (bench/floor/ws-floor.js: a bare ws server
    // sending one pre-serialised message per socket) with the same swarm: what this machine allows.
    const floor = await oneChangeRun(ctx, kind, Math.max(...ctx.fanoutSizes), true);
    rows.push({ label: floor.label, status: 'reported', ...floor, memoryStatus: 'reported' });
    rows.push(await sustainedRun(ctx, kind, ctx.sustained));
    // 10 s is enough to show the rate one bare process can write here (and keeps the full run under 10 minutes).
    rows.push(await sustainedRun(ctx, kind, { ...ctx.sustained, seconds: Math.min(ctx.sustained.seconds, 10) }, 'reported', true));
    // The same at a rate within one gateway's delivery capacity on this machine: shows that
    // nothing is lost when the subscribers can keep up (the row above measures the target).
    if (ctx.sustainedWithinCapacity) rows.push(await sustainedRun(ctx, kind, ctx.sustainedWithinCapacity, 'reported'));
    return { id: this.id, title: this.title, target: this.target, available: true, rows };
  },
};

/**
 * A fresh database, migrated by a gateway and seeded, served by that gateway or (`onFloor`) by
 * the fan-out floor in its place, with a swarm for `work`; everything is stopped and dropped after.
 */
async function withFanoutServer(kind, { onFloor = false, seed }, work) {
  const db = await benchDatabase(kind);
  let server;
  const swarm = new Swarm();
  try {
    server = await startGateway({ databaseUrl: db.url });
    await seed(db);
    if (onFloor) {
      await server.stop();
      server = undefined; // stopped: the finally must not stop it again if the floor fails to start
      server = await startFloor('ws-floor.js', db.floorEnv);
    }
    return await work(server, swarm);
  } finally {
    await swarm.close();
    await server?.stop();
    await db.drop();
  }
}

/** `count` idle subscribers, then one change at a time (three trials): latency and memory; `unavailable` says why without a WebSocket door. */
function oneChangeRun(ctx, kind, count, onFloor = false) {
  return withFanoutServer(kind, { onFloor, seed: (db) => db.seed(20, { prefix: 2 }) }, async (server, swarm) => {
    if (!onFloor) {
      const door = await probeWebSocket(server.port);
      if (!door.available) return { unavailable: door.why };
    }
    let next = 0;
    const memory = await subscribeAll(swarm, { urls: [`ws://127.0.0.1:${server.port}/graphql`], count, writer: server, gateways: [server], nextSingle: () => singleId(next++) });
    const trials = [];
    for (let i = 0; i < (ctx.quick ? 1 : 3); i++) trials.push(await oneChange(swarm, server, singleId(next++), count));
    return {
      label: `${kind}: ${count} subscribers${onFloor ? ', fan-out floor (bare ws, one pre-serialised message)' : ''}`,
      p50Ms: round(median(trials.map((t) => t.p50)), 0),
      p99Ms: round(median(trials.map((t) => t.p99)), 0),
      maxMs: round(Math.max(...trials.map((t) => t.max)), 0),
      missing: Math.max(...trials.map((t) => t.missing)),
      kbPerIdleSubscriber: memory.kbPerSubscriber,
    };
  });
}

function sustainedRun(ctx, kind, { subscribers, perSecond, seconds }, judged = true, onFloor = false) {
  const seed = async (db) => {
    await db.seed(20, { prefix: 2 });
    await db.seed(perSecond * seconds, { prefix: 3 });
  };
  return withFanoutServer(kind, { onFloor, seed }, async (server, swarm) => {
    let next = 0;
    await subscribeAll(swarm, { urls: [`ws://127.0.0.1:${server.port}/graphql`], count: subscribers, writer: server, gateways: [server], nextSingle: () => singleId(next++) });
    const r = await sustained(swarm, { writer: server, subscribers, perSecond, seconds });
    const status = judged === true ? (r.missing === 0 ? 'met' : 'MISSED') : r.missing === 0 ? 'reported' : 'missing events';
    const label = `${kind}: sustained ${perSecond} changes/s to ${subscribers} for ${seconds} s${onFloor ? ', fan-out floor' : ''}`;
    return { label, status, ...r };
  });
}
