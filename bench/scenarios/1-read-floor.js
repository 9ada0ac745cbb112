'use strict';
const { gatewayVsFloor, judgeFloorRatio, withGatewayAndFloor } = require('../lib/kit');
const { taskId } = require('../lib/db');
const { readBodies } = require('../lib/operations');

const target = 0.6;

/** Scenario 1: task(id) over POST /graphql vs the bare node:http + driver floor. */
module.exports = {
  id: 1,
  title: 'Read floor ratio: task(id) over POST /graphql vs bare node:http + prepared statement',
  target: `gateway >= ${target}x floor (req/s) on MariaDB; SQLite reported beside it`,
  async run(ctx) {
    const rows = [];
    for (const kind of ctx.kinds) {
      const seeded = 1000;
      const ids = Array.from({ length: 200 }, (_, i) => taskId((i * 7) % seeded));
      const r = await withGatewayAndFloor(ctx, kind, (db) => db.seed(seeded), ({ gateway, floor }) =>
        gatewayVsFloor(ctx, { gateway, floor, bodies: readBodies(ids) }),
      );
      rows.push({ label: kind, ...r, status: judgeFloorRatio(kind, r.ratio, target) });
    }
    return { id: this.id, title: this.title, target: this.target, available: true, rows };
  },
};
