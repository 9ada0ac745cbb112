'use strict';
const { gatewayVsFloor, withGatewayAndFloor } = require('../lib/kit');
const { listBodies } = require('../lib/operations');
const legacy = require('./legacy-door');

/**
 * Scenario 3: tasks(status: PENDING, first: 100) over GraphQL vs the floor; and, once the
 * legacy REST layer is in the build, GET /api/virtshell/v1/tasks/status/pending vs the same
 * GraphQL list.
 */
module.exports = {
  id: 3,
  title: 'List: tasks(status: PENDING, first: 100) vs floor; GET /tasks/status/pending?limit=100 vs GraphQL',
  target: 'reported (no target in the issue); one round of 2 s in full mode',
  async run(fullCtx) {
    // No target here: one round of 2 s after 1 s of warm-up keeps the full run (with the peers and
    // the large logs) inside its 10 minutes.
    const ctx = { ...fullCtx, rounds: 1, duration: Math.min(fullCtx.duration, 2), warmup: Math.min(fullCtx.warmup, 1) };
    const rows = [];
    for (const kind of ctx.kinds) {
      const r = await withGatewayAndFloor(ctx, kind, (db) => db.seed(300), async ({ gateway, floor }) => {
        const graphql = await gatewayVsFloor(ctx, { gateway, floor, bodies: listBodies('PENDING', 100) });
        // ?limit=100: the same 100 rows as first: 100 (without it the legacy door streams all 300).
        const rest = await legacy.compareWithGraphql(ctx, gateway, {
          path: `${legacy.paths.pending}?limit=100`,
          graphqlBodies: listBodies('PENDING', 100),
        });
        return { graphql, rest };
      });
      rows.push({ label: `${kind}: GraphQL vs floor`, ...r.graphql, status: 'reported' });
      rows.push(r.rest.available ? { label: `${kind}: REST pending?limit=100 vs GraphQL`, ...r.rest.result, status: 'reported' } : { label: `${kind}: REST pending`, note: r.rest.why, status: 'n/a' });
    }
    return { id: this.id, title: this.title, target: this.target, available: true, rows };
  },
};
