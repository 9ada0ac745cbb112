'use strict';
const { alternateMany, roundRatios } = require('./ab');
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
async function assertSameAnswer(a, b, body, name = 'floor') {
  const [ra, rb] = await Promise.all([post(a.url, body), post(b.url, body)]);
  const pa = JSON.parse(ra.text);
  const pb = JSON.parse(rb.text);
  if (ra.status !== 200 || pa.errors) throw new Error(`gateway answered ${ra.status}: ${ra.text.slice(0, 500)}`);
  if (JSON.stringify(pa) !== JSON.stringify(pb)) {
    throw new Error(`gateway and ${name} disagree:\n  gateway: ${ra.text.slice(0, 400)}\n  ${name}: ${rb.text.slice(0, 400)}`);
  }
}

/**
 * Alternating autocannon rounds over several servers answering the same bodies (`servers`: name ->
 * server; the first is the one the others must answer like). Per server: req/s per round, its
 * median, worst p99, and CPU time per request (from /proc: steadier than req/s on a shared
 * machine); `ratio(a, b)`: median and spread of the per-round req/s ratios a/b.
 */
async function compareServers(ctx, { servers, bodies, check = true, connections }) {
  const names = Object.keys(servers);
  if (check) for (const name of names.slice(1)) await assertSameAnswer(servers[names[0]], servers[name], bodies[0], name);
  const load = async (server, duration) => {
    const before = cpuTimeOf(server.child.pid);
    const result = await httpLoad({ url: `${server.url}/graphql`, bodies, duration, connections: connections ?? ctx.connections, signer: signer.spec });
    return { ...result, cpuMicrosPerRequest: (cpuTimeOf(server.child.pid) - before) / result.requests };
  };
  // Warm every server (JIT, pools, caches) before anything counts.
  for (const name of names) await load(servers[name], ctx.warmup);
  const details = Object.fromEntries(names.map((name) => [name, []]));
  const figures = await alternateMany({
    rounds: ctx.rounds,
    runs: Object.fromEntries(
      names.map((name) => [
        name,
        async () => {
          const r = await load(servers[name], ctx.duration);
          details[name].push(r);
          return r.requestsPerSecond;
        },
      ]),
    ),
  });
  const of = (name) => ({
    perRound: figures[name].map((v) => round(v, 0)),
    median: round(median(figures[name]), 0),
    p99Ms: Math.max(...details[name].map((r) => r.latencyP99)),
    cpuUsPerReq: round(median(details[name].map((r) => r.cpuMicrosPerRequest)), 0),
  });
  return { of, ratio: (a, b) => roundRatios(figures[a], figures[b]) };
}

/** Gateway (A) vs floor (B): the figure is A/B in req/s, with CPU time per request beside it. */
async function gatewayVsFloor(ctx, { gateway, floor, bodies, check = true, connections }) {
  const compared = await compareServers(ctx, { servers: { gateway, floor }, bodies, check, connections });
  const a = compared.of('gateway');
  const b = compared.of('floor');
  return {
    a: a.perRound,
    b: b.perRound,
    medianA: a.median,
    medianB: b.median,
    ...compared.ratio('gateway', 'floor'),
    gatewayP99Ms: a.p99Ms,
    floorP99Ms: b.p99Ms,
    gatewayCpuUsPerReq: a.cpuUsPerReq,
    floorCpuUsPerReq: b.cpuUsPerReq,
    cpuRatio: round(b.cpuUsPerReq / a.cpuUsPerReq),
  };
}

/** Marks a figure against its target. */
function judge(value, target, higherIsBetter = true) {
  if (!Number.isFinite(value)) return 'n/a';
  return (higherIsBetter ? value >= target : value <= target) ? 'met' : 'MISSED';
}

function notAvailable(id, title, why, target) {
  return { id, title, target, available: false, rows: [{ label: 'not available in this build', status: 'n/a', note: why }] };
}

module.exports = { withGatewayAndFloor, compareServers, gatewayVsFloor, assertSameAnswer, judge, notAvailable, post };
