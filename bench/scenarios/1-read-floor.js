'use strict';
const { compareServers, judge, withGatewayAndFloor } = require('../lib/kit');
const { taskId } = require('../lib/db');
const { readBodies } = require('../lib/operations');
const { startPeer } = require('../lib/peers');

const targets = { mariadbFloor: 0.8, mercurius: 1.0, sqliteFloor: 0.6 };

/**
 * Scenario 1: task(id) with every field over POST /graphql. On MariaDB four servers answer the
 * same bodies in alternating rounds: the floor (bare node:http + mysql2 prepared statement),
 * taskgate (signed, verified), and two peers a user could pick instead (bench/peers/): Fastify +
 * Mercurius with graphql-jit, and the naive Apollo + express + type-graphql + TypeORM stack.
 * On SQLite, taskgate vs its better-sqlite3 floor.
 */
module.exports = {
  id: 1,
  title: 'Reads: task(id) over POST /graphql: taskgate vs the floor and the peers (Mercurius + graphql-jit, naive Apollo stack)',
  target: `taskgate (signed) >= ${targets.mercurius}x Fastify + Mercurius with graphql-jit (unsigned) and >= ${targets.mariadbFloor}x the floor on MariaDB; >= ${targets.sqliteFloor}x its floor on SQLite (req/s)`,
  async run(ctx) {
    const rows = [];
    for (const kind of ctx.kinds) {
      const seeded = 1000;
      const ids = Array.from({ length: 200 }, (_, i) => taskId((i * 7) % seeded));
      await withGatewayAndFloor(ctx, kind, (db) => db.seed(seeded), async ({ db, gateway, floor }) => {
        const servers = { taskgate: gateway, floor };
        const labels = { taskgate: 'taskgate (signed)', floor: 'floor: node:http + driver' };
        const started = [];
        try {
          if (kind === 'mariadb') {
            for (const name of ['mercurius', 'naive']) {
              const peer = await startPeer(name, db);
              started.push(peer);
              servers[name] = peer;
              labels[name] = peer.label;
            }
          }
          const compared = await compareServers(ctx, { servers, bodies: readBodies(ids) });
          for (const name of Object.keys(servers)) {
            const r = compared.of(name);
            const vs = compared.ratio(name, 'floor');
            rows.push({
              label: `${kind}: ${labels[name]}`,
              status: 'reported',
              reqPerSecondPerRound: r.perRound,
              reqPerSecond: r.median,
              vsFloor: `${vs.ratio} (${vs.ratioMin}-${vs.ratioMax})`,
              p99Ms: r.p99Ms,
              cpuUsPerReq: r.cpuUsPerReq,
            });
          }
          const floorTarget = kind === 'mariadb' ? targets.mariadbFloor : targets.sqliteFloor;
          const vsFloor = compared.ratio('taskgate', 'floor');
          rows.push({ label: `${kind}: taskgate / floor`, status: judge(vsFloor.ratio, floorTarget), ...vsFloor, target: floorTarget });
          if (servers.mercurius) {
            const vsMercurius = compared.ratio('taskgate', 'mercurius');
            rows.push({ label: `${kind}: taskgate / Mercurius`, status: judge(vsMercurius.ratio, targets.mercurius), ...vsMercurius, target: targets.mercurius });
            rows.push({ label: `${kind}: taskgate / naive Apollo stack`, status: 'reported', ...compared.ratio('taskgate', 'naive') });
          }
        } finally {
          for (const peer of started) await peer.stop();
        }
      });
    }
    return { id: this.id, title: this.title, target: this.target, available: true, rows };
  },
};
