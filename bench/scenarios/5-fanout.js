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
      const db = await benchDatabase(kind);
      let gateway;
      const swarm = new Swarm();
      try {
        gateway = await startGateway({ databaseUrl: db.url });
        const door = await probeWebSocket(gateway.port);
        if (!door.available) return notAvailable(this.id, this.title, door.why, this.target);
        await db.seed(20, { prefix: 2 });
        let next = 0;
        const memory = await subscribeAll(swarm, { urls: [`ws://127.0.0.1:${gateway.port}/graphql`], count, writer: gateway, gateways: [gateway], nextSingle: () => singleId(next++) });
        const trials = [];
        for (let i = 0; i < (ctx.quick ? 1 : 3); i++) trials.push(await oneChange(swarm, gateway, singleId(next++), count));
        const p99 = median(trials.map((t) => t.p99));
        const missing = Math.max(...trials.map((t) => t.missing));
        rows.push({
          label: `${kind}: ${count} subscribers`,
          status: count >= 10000 ? (missing ? 'MISSED' : judge(p99, 200, false)) : missing ? 'MISSED' : 'reported',
          p50Ms: round(median(trials.map((t) => t.p50)), 0),
          p99Ms: round(p99, 0),
          maxMs: round(Math.max(...trials.map((t) => t.max)), 0),
          missing,
          kbPerIdleSubscriber: memory.kbPerSubscriber,
          // The target is per idle subscriber at scale (10,000): at smaller N the process's fixed growth dominates RSS delta / N.
          memoryStatus: count >= 10000 ? judge(memory.kbPerSubscriber, 15, false) : 'reported',
        });
      } finally {
        await swarm.close();
        await gateway?.stop();
        await db.drop();
      }
    }
    // The same one change through the fan-out floor (bench/floor/ws-floor.js: a bare ws server
    // sending one pre-serialised message per socket) with the same swarm: what this machine allows.
    rows.push(await floorOneChange(ctx, kind, Math.max(...ctx.fanoutSizes)));
    rows.push(await sustainedRun(ctx, kind, ctx.sustained));
    // 10 s is enough to show the rate one bare process can write here (and keeps the full run under 10 minutes).
    rows.push(await sustainedRun(ctx, kind, { ...ctx.sustained, seconds: Math.min(ctx.sustained.seconds, 10) }, 'reported', true));
    // The same at a rate within one gateway's delivery capacity on this machine: shows that
    // nothing is lost when the subscribers can keep up (the row above measures the target).
    if (ctx.sustainedWithinCapacity) rows.push(await sustainedRun(ctx, kind, ctx.sustainedWithinCapacity, 'reported'));
    return { id: this.id, title: this.title, target: this.target, available: true, rows };
  },
};

/** One change to `count` subscribers of the fan-out floor instead of the gateway. */
async function floorOneChange(ctx, kind, count) {
  const db = await benchDatabase(kind);
  let gateway;
  let floor;
  const swarm = new Swarm();
  try {
    // The gateway only migrates the database here; the floor serves it.
    gateway = await startGateway({ databaseUrl: db.url });
    await gateway.stop();
    gateway = undefined;
    await db.seed(20, { prefix: 2 });
    floor = await startFloor('ws-floor.js', db.floorEnv);
    let next = 0;
    const memory = await subscribeAll(swarm, { urls: [`ws://127.0.0.1:${floor.port}/graphql`], count, writer: floor, gateways: [floor], nextSingle: () => singleId(next++) });
    const trials = [];
    for (let i = 0; i < (ctx.quick ? 1 : 3); i++) trials.push(await oneChange(swarm, floor, singleId(next++), count));
    return {
      label: `${kind}: ${count} subscribers, fan-out floor (bare ws, one pre-serialised message)`,
      status: 'reported',
      p50Ms: round(median(trials.map((t) => t.p50)), 0),
      p99Ms: round(median(trials.map((t) => t.p99)), 0),
      maxMs: round(Math.max(...trials.map((t) => t.max)), 0),
      missing: Math.max(...trials.map((t) => t.missing)),
      kbPerIdleSubscriber: memory.kbPerSubscriber,
      memoryStatus: 'reported',
    };
  } finally {
    await swarm.close();
    await floor?.stop();
    await gateway?.stop();
    await db.drop();
  }
}

async function sustainedRun(ctx, kind, { subscribers, perSecond, seconds }, judged = true, onFloor = false) {
  const db = await benchDatabase(kind);
  let gateway;
  let floor;
  const swarm = new Swarm();
  try {
    gateway = await startGateway({ databaseUrl: db.url });
    await db.seed(20, { prefix: 2 });
    await db.seed(perSecond * seconds, { prefix: 3 });
    if (onFloor) {
      await gateway.stop();
      gateway = undefined;
      floor = await startFloor('ws-floor.js', db.floorEnv);
    }
    const server = floor ?? gateway;
    let next = 0;
    await subscribeAll(swarm, { urls: [`ws://127.0.0.1:${server.port}/graphql`], count: subscribers, writer: server, gateways: [server], nextSingle: () => singleId(next++) });
    const r = await sustained(swarm, { writer: server, subscribers, perSecond, seconds });
    const status = judged === true ? (r.missing === 0 ? 'met' : 'MISSED') : r.missing === 0 ? 'reported' : 'missing events';
    const label = `${kind}: sustained ${perSecond} changes/s to ${subscribers} for ${seconds} s${onFloor ? ', fan-out floor' : ''}`;
    return { label, status, ...r };
  } finally {
    await swarm.close();
    await floor?.stop();
    await gateway?.stop();
    await db.drop();
  }
}
