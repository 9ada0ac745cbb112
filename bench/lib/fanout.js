'use strict';
const { taskId } = require('./db');
const { post } = require('./kit');
const { cpuTimeOf, httpLoad, memoryOf, sleep } = require('./processes');
const { percentile, median, round } = require('./stats');

/** What every subscriber watches (the document). */
const subscription = 'subscription { taskStatusChanged(status: IN_PROGRESS) { id status task { id } } }';
const start = (id) => JSON.stringify({ query: 'mutation Start($id: ID!) { updateTask(id: $id, input: { status: IN_PROGRESS }) { id } }', variables: { id } });
const now = () => performance.timeOrigin + performance.now();

/** Task ids by purpose: prefix 2 for single changes, 3 for the sustained rate. */
const singleId = (i) => taskId(i, 2);
const sustainedId = (i) => taskId(i, 3);
const sustainedPrefix = '00000003';

/** Changes one task to IN_PROGRESS and waits until every subscriber has it (or timeoutMs). */
async function oneChange(swarm, writer, id, expected, timeoutMs = 15_000) {
  const t0 = now();
  const answer = await post(writer.url, start(id));
  if (answer.status !== 200 || JSON.parse(answer.text).errors) throw new Error(`the change was refused: ${answer.text.slice(0, 300)}`);
  let times = [];
  while (now() - t0 < timeoutMs) {
    await sleep(50);
    times = await swarm.times(id);
    if (times.length >= expected && times.every((t) => t !== null)) break;
  }
  const latencies = times.filter((t) => t !== null).map((t) => t - t0);
  return { received: latencies.length, missing: expected - latencies.length, closed: swarm.closeCodes, p50: percentile(latencies, 50), p99: percentile(latencies, 99), max: Math.max(...latencies) };
}

/** Subscribes `count` clients (split over urls), checks they all hear a first change, and measures memory. */
async function subscribeAll(swarm, { urls, count, writer, gateways, nextSingle }) {
  const before = gateways.map((g) => memoryOf(g.child.pid).rss);
  const opened = await swarm.open({ urls, count, query: subscription });
  if (opened.connected < count) throw new Error(`${count - opened.connected} of ${count} subscribers could not connect: ${opened.firstError}`);
  // A subscription registers shortly after its socket connects: a first change proves they all listen.
  let warm;
  for (let attempt = 0; attempt < 5; attempt++) {
    warm = await oneChange(swarm, writer, nextSingle(), count, 10_000);
    if (warm.missing === 0) break;
  }
  if (warm.missing) throw new Error(`${warm.missing} of ${count} subscribers never heard a change (close codes ${JSON.stringify(swarm.closeCodes)}): ${opened.firstError ?? ''}`);
  await sleep(500);
  const after = gateways.map((g) => memoryOf(g.child.pid).rss);
  const delta = after.reduce((s, v, i) => s + v - before[i], 0);
  return { kbPerSubscriber: round(delta / count / 1024, 1) };
}

/** Sends `perSecond` changes/s for `seconds` (autocannon, own process, fixed overall rate), then counts. */
async function sustained(swarm, { writer, gateways = [writer], subscribers, perSecond, seconds }) {
  // CPU spent per delivered event, by the gateways and by the subscriber processes: where the time goes.
  const cpu = () => ({ gateways: gateways.reduce((s, g) => s + cpuTimeOf(g.child.pid), 0), swarm: swarm.children.reduce((s, c) => s + cpuTimeOf(c.pid), 0) });
  const cpuBefore = cpu();
  const total = perSecond * seconds;
  const bodies = Array.from({ length: total }, (_, i) => start(sustainedId(i)));
  const sendStart = now();
  const load = await httpLoad({ url: `${writer.url}/graphql`, bodies, amount: total, overallRate: perSecond, connections: 20, duration: seconds * 3 });
  const sentPerSecond = load.requests / ((now() - sendStart) / 1000);
  const deadline = now() + 15_000;
  let counts = [];
  while (now() < deadline) {
    counts = await swarm.counts(sustainedPrefix);
    if (counts.every((n) => n >= total)) break;
    // Every subscriber already dropped by the server (4008, too far behind): nothing more comes.
    if (Object.values(swarm.closeCodes ?? {}).reduce((a, b) => a + b, 0) >= subscribers) break;
    await sleep(250);
  }
  const missing = counts.reduce((s, n) => s + Math.max(0, total - n), 0);
  const delivered = counts.reduce((s, n) => s + Math.min(total, n), 0);
  const cpuAfter = cpu();
  // Gateway CPU includes serving the writes themselves; subscriber CPU is the client swarm's.
  return {
    delivered,
    gatewayCpuUsPerDelivery: round((cpuAfter.gateways - cpuBefore.gateways) / Math.max(1, delivered), 1),
    subscriberCpuUsPerDelivery: round((cpuAfter.swarm - cpuBefore.swarm) / Math.max(1, delivered), 1),
    closedByServer: JSON.stringify(swarm.closeCodes ?? {}),
    changes: total,
    sentPerSecond: round(sentPerSecond, 0),
    writeP99Ms: load.latencyP99,
    subscribers,
    expectedDeliveries: total * subscribers,
    missing,
  };
}

module.exports = { subscription, oneChange, subscribeAll, sustained, singleId, sustainedId, median };
