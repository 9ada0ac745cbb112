'use strict';
const { alternate } = require('./ab');
const { benchDatabase } = require('./db');
const { cpuTimeOf, httpLoad, startFloor, startGateway } = require('./processes');
const { median, round } = require('./stats');
const { signer } = require('./auth');

/**
 * A fresh bench database of `kind`, migrated by a gateway started on it, seeded, with the
 * floor server beside it; everything is stopped and dropped afterwards.
 */
async function withGatewayAndFloor(ctx, kind, seed, work) {
  const db = await benchDatabase(kind);
  let gateway;
  let floor;
  try {
    gateway = await startGateway({ databaseUrl: db.url, nodeArgs: ctx.gatewayNodeArgs ?? [] });
    await seed(db);
    floor = await startFloor('floor-server.js', db.floorEnv);
    return await work({ db, gateway, floor });
  } finally {
    await gateway?.stop();
    await floor?.stop();
    await db.drop();
  }
}

async function post(url, body) {
  const headers = { 'content-type': 'application/json', ...signer.headers('POST', new URL(url).host, '/graphql', body) };
  const response = await fetch(`${url}/graphql`, { method: 'POST', headers, body });
  return { status: response.status, text: await response.text() };
}

/** Both servers must give the same JSON for the same body, or the comparison means nothing. */
async function assertSameAnswer(a, b, body) {
  const [ra, rb] = await Promise.all([post(a.url, body), post(b.url, body)]);
  const pa = JSON.parse(ra.text);
  const pb = JSON.parse(rb.text);
  if (ra.status !== 200 || pa.errors) throw new Error(`gateway answered ${ra.status}: ${ra.text.slice(0, 500)}`);
  if (JSON.stringify(pa) !== JSON.stringify(pb)) {
    throw new Error(`gateway and floor disagree:\n  gateway: ${ra.text.slice(0, 400)}\n  floor:   ${rb.text.slice(0, 400)}`);
  }
}

/** Alternating autocannon rounds, gateway (A) vs floor (B); the figure is A/B in req/s. */
async function gatewayVsFloor(ctx, { gateway, floor, bodies, check = true, connections }) {
  if (check) await assertSameAnswer(gateway, floor, bodies[0]);
  // CPU time per request of the server under load: steadier than req/s on a shared machine.
  const load = async (server, duration) => {
    const before = cpuTimeOf(server.child.pid);
    const result = await httpLoad({ url: `${server.url}/graphql`, bodies, duration, connections: connections ?? ctx.connections, signer: signer.spec });
    return { ...result, cpuMicrosPerRequest: (cpuTimeOf(server.child.pid) - before) / result.requests };
  };
  // Warm both (JIT, pools, caches) before anything counts.
  await load(gateway, ctx.warmup);
  await load(floor, ctx.warmup);
  const details = { gateway: [], floor: [] };
  const ab = await alternate({
    rounds: ctx.rounds,
    runA: async () => {
      const r = await load(gateway, ctx.duration);
      details.gateway.push(r);
      return r.requestsPerSecond;
    },
    runB: async () => {
      const r = await load(floor, ctx.duration);
      details.floor.push(r);
      return r.requestsPerSecond;
    },
  });
  const p99 = (runs) => Math.max(...runs.map((r) => r.latencyP99));
  const cpu = (runs) => median(runs.map((r) => r.cpuMicrosPerRequest));
  return {
    ...ab,
    gatewayP99Ms: p99(details.gateway),
    floorP99Ms: p99(details.floor),
    gatewayCpuUsPerReq: round(cpu(details.gateway), 0),
    floorCpuUsPerReq: round(cpu(details.floor), 0),
    cpuRatio: round(cpu(details.floor) / cpu(details.gateway)),
  };
}

/** Marks a figure against its target. */
/**
 * The issue sets the floor-ratio targets on MariaDB (its floors run "through mysql2"); the same
 * scenarios also run on SQLite, against a better-sqlite3 floor, and are reported unjudged.
 */
function judgeFloorRatio(kind, ratio, target) {
  return kind === 'mariadb' ? judge(ratio, target) : 'reported';
}

function judge(value, target, higherIsBetter = true) {
  if (!Number.isFinite(value)) return 'n/a';
  return (higherIsBetter ? value >= target : value <= target) ? 'met' : 'MISSED';
}

function notAvailable(id, title, why, target) {
  return { id, title, target, available: false, rows: [{ label: 'not available in this build', status: 'n/a', note: why }] };
}

module.exports = { withGatewayAndFloor, gatewayVsFloor, assertSameAnswer, judge, judgeFloorRatio, notAvailable, post };
