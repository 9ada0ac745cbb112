'use strict';
const { benchDatabase, taskId } = require('../lib/db');
const { judge, notAvailable } = require('../lib/kit');
const { readBodies } = require('../lib/operations');
const { startGateway } = require('../lib/processes');
const legacy = require('./legacy-door');

const target = 0.9;

/** Scenario 2: GET /api/virtshell/v1/tasks/:id vs task(id) over /graphql, same gateway, same ids. */
module.exports = {
  id: 2,
  title: 'Legacy vs GraphQL: GET /api/virtshell/v1/tasks/:id vs task(id) over /graphql',
  target: `REST >= ${target}x GraphQL (req/s)`,
  async run(fullCtx) {
    // Two doors of one gateway, close to each other (warming one warms most of the other): rounds
    // of 2 s after 1 s of warm-up keep the full run inside its 10 minutes.
    const ctx = { ...fullCtx, duration: Math.min(fullCtx.duration, 2), warmup: Math.min(fullCtx.warmup, 1) };
    const rows = [];
    for (const kind of ctx.kinds) {
      const db = await benchDatabase(kind);
      let gateway;
      try {
        gateway = await startGateway({ databaseUrl: db.url });
        const seeded = 1000;
        const ids = Array.from({ length: 200 }, (_, i) => taskId((i * 7) % seeded));
        await db.seed(seeded);
        const found = await legacy.probe(gateway, legacy.paths.one(taskId(0)));
        if (!found.available) return notAvailable(this.id, this.title, found.why, this.target);
        const r = await legacy.compareWithGraphql(ctx, gateway, { paths: ids.map(legacy.paths.one), graphqlBodies: readBodies(ids) });
        rows.push({ label: `${kind}: REST / GraphQL`, ...r.result, status: judge(r.result.ratio, target) });
      } finally {
        await gateway?.stop();
        await db.drop();
      }
    }
    return { id: this.id, title: this.title, target: this.target, available: true, rows };
  },
};
