'use strict';
const { gatewayVsFloor, judge, withGatewayAndFloor } = require('../lib/kit');
const { taskId } = require('../lib/db');
const { writeBodies } = require('../lib/operations');

/** Issue 16's targets: MariaDB and SQLite each against their own floor. */
const targets = { mariadb: 0.7, sqlite: 0.5 };

/**
 * Scenario 4: updateTask (log-only change: lock, conditional UPDATE, event INSERT, commit,
 * announce) vs a floor running the same UPDATE + INSERT in one transaction through the driver.
 * Requests spread over 2,000 tasks so they rarely queue on one row lock.
 */
module.exports = {
  id: 4,
  title: 'Writes: updateTask vs UPDATE + INSERT in one transaction',
  target: `gateway >= ${targets.mariadb}x floor (req/s) on MariaDB, >= ${targets.sqlite}x on SQLite`,
  async run(ctx) {
    const rows = [];
    for (const kind of ctx.kinds) {
      const seeded = 2000;
      const ids = Array.from({ length: seeded }, (_, i) => taskId((i * 769) % seeded));
      const r = await withGatewayAndFloor(ctx, kind, (db) => db.seed(seeded, { status: 'IN_PROGRESS' }), ({ gateway, floor }) =>
        gatewayVsFloor(ctx, { gateway, floor, bodies: writeBodies(ids) }),
      );
      rows.push({ label: kind, ...r, status: judge(r.ratio, targets[kind]) });
    }
    return { id: this.id, title: this.title, target: this.target, available: true, rows };
  },
};
