'use strict';
const { benchDatabase, taskId } = require('../lib/db');
const { post } = require('../lib/kit');
const { httpLoad, runHttpLoad, startGateway } = require('../lib/processes');
const { readBodies } = require('../lib/operations');
const { gatewayEnv } = require('../lib/auth');
const { round } = require('../lib/stats');

/** Four keys that hammer; the bench key is the other key whose task(id) latency is measured. */
const hammerKeys = [1, 2, 3, 4].map((n) => ({ user: `hammer${n}`, secret: `hammer-secret-${n}-0123456789abcdef` }));

/** The heaviest kind of query a read key may send: a full page with totalCount and histories, cost just under TASKGATE_MAX_COST. */
const heavyQuery = (first) => `query Heavy { tasks(first: ${first}) { totalCount edges { node { id description status log history(first: 5) { status log at by } } } } }`;

/** Per-key limits lifted: what the same hammering does without fair share. */
const unlimited = { TASKGATE_FAIR_SHARE: 'off' };

/**
 * Scenario 9 (issue 13, fair share): another key's task(id) p99 while four keys hammer the
 * heaviest allowed queries, beside the same read with nothing else running (idle), with the
 * default fair-share limits and (full mode) with them lifted. The hammering keys' refusals (429)
 * are counted, not failures.
 */
module.exports = {
  id: 9,
  title: "Fair share: another key's task(id) p99 while four keys hammer the heaviest allowed queries",
  target: 'reported (no target in the issue): p99 idle vs under the hammering, fair share on and (full mode) off, on the first database (MariaDB when there is one)',
  async run(ctx) {
    const rows = [];
    // One database: both, each with fair share on and off, would take a fifth of the full run's 10 minutes.
    const kinds = ctx.kinds.slice(0, 1);
    const variants = ctx.quick ? [['fair share on (defaults)', {}]] : [['fair share on (defaults)', {}], ['fair share off', unlimited]];
    for (const kind of kinds) {
      for (const [variant, env] of variants) {
        const db = await benchDatabase(kind);
        let gateway;
        try {
          const keys = [gatewayEnv.TASKGATE_KEYS, ...hammerKeys.map((k) => `${k.user}:${k.secret}:read`)].join(',');
          gateway = await startGateway({ databaseUrl: db.url, env: { ...env, TASKGATE_KEYS: keys } });
          await db.seed(ctx.quick ? 2000 : 20_000);
          const first = await heaviestAllowed(gateway.url);
          const bodies = readBodies(Array.from({ length: 200 }, (_, i) => taskId((i * 7) % 2000)));
          const victim = () => httpLoad({ url: `${gateway.url}/graphql`, bodies, duration: ctx.duration * 2, connections: 10 });
          await victim(); // warm-up
          const idle = await victim();
          const hammering = hammerKeys.map((key) => hammer(gateway.url, key, heavyQuery(first), ctx.duration * 2 + 2));
          await new Promise((resolve) => setTimeout(resolve, 1000));
          const loaded = await victim();
          const hammered = await Promise.all(hammering);
          rows.push({
            label: `${kind}: ${variant}`,
            idleP99Ms: idle.latencyP99,
            hammeredP99Ms: loaded.latencyP99,
            idleP50Ms: idle.latencyP50,
            hammeredP50Ms: loaded.latencyP50,
            victimReqPerSec: round(loaded.requestsPerSecond, 0),
            heavyServedPerSec: round(hammered.reduce((sum, h) => sum + h.served, 0) / (ctx.duration * 2 + 2), 1),
            heavyRefused429: hammered.reduce((sum, h) => sum + h.refused, 0),
            heavyFirst: first,
            status: 'reported',
          });
        } finally {
          await gateway?.stop();
          await db.drop();
        }
      }
    }
    return { id: this.id, title: this.title, target: this.target, available: true, rows };
  },
};

/** The largest `first` (from 500, halving) whose heavy query the gateway accepts under its cost limit. */
async function heaviestAllowed(url) {
  for (let first = 500; first >= 10; first = Math.floor(first / 2)) {
    const answer = await post(url, JSON.stringify({ query: heavyQuery(first) }));
    if (answer.status === 200 && !JSON.parse(answer.text).errors) return first;
  }
  throw new Error('the gateway refused even a small heavy query');
}

/** One hammering key: autocannon in its own process, signing as that key; 429s are counted, not failures. */
async function hammer(url, key, query, seconds) {
  const summary = await runHttpLoad({ url: `${url}/graphql`, bodies: [JSON.stringify({ query })], duration: seconds, connections: 8 }, { BENCH_KEY: `${key.user}:${key.secret}` });
  return { served: summary.requests - summary.non2xx, refused: summary.non2xx };
}
