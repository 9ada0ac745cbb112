'use strict';
const { readFileSync } = require('node:fs');
const { join } = require('node:path');
const { benchDatabase } = require('../lib/db');
const { notAvailable } = require('../lib/kit');
const { root, startGateway } = require('../lib/processes');
const { Swarm, probeWebSocket } = require('../lib/swarm');
const { oneChange, subscribeAll, sustained, singleId, median } = require('../lib/fanout');
const { round } = require('../lib/stats');

const redisUrl = process.env.BENCH_REDIS_URL ?? process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

/** Scenario 6: two gateways sharing changes through Redis; subscribers split, changes on one. */
module.exports = {
  id: 6,
  title: 'Scale-out: two gateways with REDIS_URL, subscribers split, changes made on one',
  target: 'every subscriber on both gateways receives (0 missing); delivery p99 reported',
  async run(ctx) {
    const config = readFileSync(join(root, 'dist', 'src', 'config.js'), 'utf8');
    if (!config.includes('REDIS_URL')) return notAvailable(this.id, this.title, 'this build has no REDIS_URL setting (Redis fan-out not merged)', this.target);
    const kind = ctx.kinds[0];
    const count = ctx.quick ? 400 : 1000;
    const db = await benchDatabase(kind);
    const gateways = [];
    const swarm = new Swarm();
    try {
      // A channel of its own: other gateways on the shared Redis must not hear the bench's events.
      const env = { REDIS_URL: redisUrl, TASKGATE_REDIS_CHANNEL: `taskgate-bench-${process.pid}` };
      gateways.push(await startGateway({ databaseUrl: db.url, env }));
      gateways.push(await startGateway({ databaseUrl: db.url, env: { ...env, TASKGATE_MIGRATE: 'off' } }));
      const door = await probeWebSocket(gateways[0].port);
      if (!door.available) return notAvailable(this.id, this.title, door.why, this.target);
      await db.seed(20, { prefix: 2 });
      // A rate the subscribers can keep up with (scenario 5 measures capacity): this one tests
      // that the Redis path loses nothing, not how much one machine can push.
      const { perSecond, seconds } = ctx.scaleOutRate;
      await db.seed(perSecond * seconds, { prefix: 3 });
      let next = 0;
      const urls = gateways.map((g) => `ws://127.0.0.1:${g.port}/graphql`);
      const memory = await subscribeAll(swarm, { urls, count, writer: gateways[0], gateways, nextSingle: () => singleId(next++) });
      const trials = [];
      for (let i = 0; i < (ctx.quick ? 1 : 3); i++) trials.push(await oneChange(swarm, gateways[0], singleId(next++), count));
      const missing = Math.max(...trials.map((t) => t.missing));
      const load = await sustained(swarm, { writer: gateways[0], gateways, subscribers: count, perSecond, seconds });
      return {
        id: this.id,
        title: this.title,
        target: this.target,
        available: true,
        rows: [
          {
            label: `${kind}: ${count} subscribers over 2 gateways, one change`,
            status: missing ? 'MISSED' : 'met',
            p50Ms: round(median(trials.map((t) => t.p50)), 0),
            p99Ms: round(median(trials.map((t) => t.p99)), 0),
            missing,
            kbPerIdleSubscriber: memory.kbPerSubscriber,
          },
          { label: `${kind}: sustained ${perSecond} changes/s to ${count} over 2 gateways for ${seconds} s`, status: load.missing ? 'MISSED' : 'met', ...load },
        ],
      };
    } finally {
      await swarm.close();
      for (const g of gateways) await g.stop();
      await db.drop();
    }
  },
};
