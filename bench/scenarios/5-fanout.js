'use strict';
const { benchDatabase } = require('../lib/db');
const { judge, notAvailable } = require('../lib/kit');
const { cpuTimeOf, startFloor, startGateway } = require('../lib/processes');
const { Swarm, probeWebSocket } = require('../lib/swarm');
const { oneChange, subscribeAll, sustained, singleId, median } = require('../lib/fanout');
const { round } = require('../lib/stats');

/**
 * Scenario 5: N idle graphql-ws subscribers on one gateway (clients in other processes), one
 * change, time until every subscriber has it; memory per idle subscriber; then a sustained
 * rate of changes to 1,000 subscribers with nothing missing.
 */
const targets = { p99VsFloor: 1.2, kbPerIdleSubscriber: 12, cpuVsFloor: 2, sustainedRateVsFloor: 0.5 };

module.exports = {
  id: 5,
  title: 'Fan-out: N idle subscribers to taskStatusChanged(status: IN_PROGRESS), one change; sustained changes to 1,000',
  target:
    `one change to 10,000: every subscriber receives, p99 <= ${targets.p99VsFloor}x the fan-out floor's p99 (bare ws, same swarm, same run), ` +
    `<= ${targets.kbPerIdleSubscriber} KB per idle subscriber, gateway CPU per delivered message <= ${targets.cpuVsFloor}x the floor's; ` +
    `sustained changes to 1,000 (the floor driven at 200/s, taskgate at the rate the floor sustained): everything delivered, no 4008 closes, at >= ${targets.sustainedRateVsFloor}x the floor's changes/s, CPU per delivery <= ${targets.cpuVsFloor}x the floor's`,
  async run(ctx) {
    const kind = ctx.kinds[0];
    const rows = [];
    let largest;
    for (const count of ctx.fanoutSizes) {
      const row = await oneChangeRun(ctx, kind, count);
      if (row.unavailable) return notAvailable(this.id, this.title, row.unavailable, this.target);
      rows.push({ status: row.missing ? 'MISSED' : 'reported', ...row });
      largest = row;
    }
    // The same one change through the fan-out floor (bench/floor/ws-floor.js: a bare ws server
    // sending one pre-serialised message per socket) with the same swarm: what this machine allows.
    const floor = await oneChangeRun(ctx, kind, largest.subscribers, true);
    rows.push({ status: 'reported', ...floor });
    const atScale = largest.subscribers >= 10000;
    const judged = (value, target) => (atScale ? judge(value, target, false) : 'reported');
    const p99VsFloor = round(largest.p99Ms / floor.p99Ms);
    const cpuVsFloor = round(largest.cpuUsPerDelivery / floor.cpuUsPerDelivery);
    rows.push({ label: `${kind}: ${largest.subscribers} subscribers, p99 taskgate / floor`, status: largest.missing ? 'MISSED' : judged(p99VsFloor, targets.p99VsFloor), ratio: p99VsFloor, target: targets.p99VsFloor });
    rows.push({ label: `${kind}: ${largest.subscribers} subscribers, KB per idle subscriber`, status: judged(largest.kbPerIdleSubscriber, targets.kbPerIdleSubscriber), ratio: largest.kbPerIdleSubscriber, target: targets.kbPerIdleSubscriber });
    rows.push({ label: `${kind}: ${largest.subscribers} subscribers, CPU per delivery taskgate / floor`, status: judged(cpuVsFloor, targets.cpuVsFloor), ratio: cpuVsFloor, target: targets.cpuVsFloor });

    // The sustained case as the issue sets it: the floor is driven at 200 changes/s and sustains
    // what this machine allows (its writes slow down while it writes to the sockets); taskgate is
    // then driven at that rate and must deliver everything, no 4008, at >= half of it, at no more
    // than twice the floor's CPU per delivery. 10 s each (run.js) keeps the full run under 10 minutes.
    const { seconds } = ctx.sustained;
    const floorSustained = await sustainedRun(ctx, kind, { ...ctx.sustained, seconds }, true);
    rows.push({ ...floorSustained, status: 'reported' });
    const floorRate = Math.max(1, Math.round(floorSustained.sentPerSecond));
    const atFloorRate = await sustainedRun(ctx, kind, { subscribers: ctx.sustained.subscribers, perSecond: floorRate, seconds });
    const clean = atFloorRate.missing === 0 && atFloorRate.closedByServer === '{}';
    rows.push({ ...atFloorRate, status: clean ? 'met' : 'MISSED' });
    const rateVsFloor = round(atFloorRate.sentPerSecond / floorSustained.sentPerSecond);
    const sustainedCpuVsFloor = round(atFloorRate.gatewayCpuUsPerDelivery / floorSustained.gatewayCpuUsPerDelivery);
    rows.push({ label: `${kind}: sustained, changes/s delivered in full taskgate / floor`, status: clean ? judge(rateVsFloor, targets.sustainedRateVsFloor) : 'MISSED', ratio: rateVsFloor, target: targets.sustainedRateVsFloor });
    rows.push({ label: `${kind}: sustained, CPU per delivery taskgate / floor`, status: judge(sustainedCpuVsFloor, targets.cpuVsFloor, false), ratio: sustainedCpuVsFloor, target: targets.cpuVsFloor });
    // Asked for the full 200 changes/s, beyond what this machine delivers: taskgate takes the
    // writes and closes subscribers whose queue overflows (4008) instead of buffering without bound.
    const overload = await sustainedRun(ctx, kind, { ...ctx.sustained, seconds });
    rows.push({ ...overload, status: overload.missing === 0 && overload.closedByServer === '{}' ? 'met' : 'reported' });
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
    const cpuBefore = cpuTimeOf(server.child.pid);
    for (let i = 0; i < (ctx.quick ? 1 : 3); i++) trials.push(await oneChange(swarm, server, singleId(next++), count));
    const received = trials.reduce((sum, t) => sum + t.received, 0);
    return {
      label: `${kind}: ${count} subscribers${onFloor ? ', fan-out floor (bare ws, one pre-serialised message)' : ''}`,
      subscribers: count,
      p50Ms: round(median(trials.map((t) => t.p50)), 0),
      p99Ms: round(median(trials.map((t) => t.p99)), 0),
      maxMs: round(Math.max(...trials.map((t) => t.max)), 0),
      missing: Math.max(...trials.map((t) => t.missing)),
      kbPerIdleSubscriber: memory.kbPerSubscriber,
      // Server CPU over the trials (the change's write included) per message delivered.
      cpuUsPerDelivery: round((cpuTimeOf(server.child.pid) - cpuBefore) / Math.max(1, received), 1),
    };
  });
}

function sustainedRun(ctx, kind, { subscribers, perSecond, seconds }, onFloor = false) {
  const seed = async (db) => {
    await db.seed(20, { prefix: 2 });
    await db.seed(perSecond * seconds, { prefix: 3 });
  };
  return withFanoutServer(kind, { onFloor, seed }, async (server, swarm) => {
    let next = 0;
    await subscribeAll(swarm, { urls: [`ws://127.0.0.1:${server.port}/graphql`], count: subscribers, writer: server, gateways: [server], nextSingle: () => singleId(next++) });
    const r = await sustained(swarm, { writer: server, subscribers, perSecond, seconds });
    const label = `${kind}: sustained ${perSecond} changes/s to ${subscribers} for ${seconds} s${onFloor ? ', fan-out floor' : ''}`;
    return { label, ...r };
  });
}
