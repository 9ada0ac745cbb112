'use strict';
const { benchDatabase } = require('../lib/db');
const { startFloor, startGateway } = require('../lib/processes');
const { median, spread, round } = require('../lib/stats');

/**
 * Scenario 8: cold start to ready. Spawns dist/src/main.js and times until POST /graphql
 * answers: on an empty database (migrations run) and on an already migrated one. The bare
 * floor server's start, timed the same way, is the floor.
 */
module.exports = {
  id: 8,
  title: 'Cold start to ready (spawn dist/src/main.js until POST /graphql answers)',
  target: 'reported (no target in the issue)',
  async run(ctx) {
    const rows = [];
    for (const kind of ctx.kinds) {
      const fresh = [];
      const migrated = [];
      const floor = [];
      for (let i = 0; i < ctx.coldStarts; i++) {
        const db = await benchDatabase(kind);
        try {
          const first = await startGateway({ databaseUrl: db.url });
          fresh.push(first.readyMs);
          await first.stop();
          const second = await startGateway({ databaseUrl: db.url });
          migrated.push(second.readyMs);
          await second.stop();
          const bare = await startFloor('floor-server.js', db.floorEnv);
          floor.push(bare.readyMs);
          await bare.stop();
        } finally {
          await db.drop();
        }
      }
      const figure = (values) => ({ medianMs: round(median(values), 0), minMs: round(spread(values).min, 0), maxMs: round(spread(values).max, 0) });
      rows.push({ label: `${kind}: empty database (migrations run)`, ...figure(fresh), status: 'reported' });
      rows.push({ label: `${kind}: migrated database`, ...figure(migrated), status: 'reported' });
      rows.push({ label: `${kind}: floor server (bare node:http + driver)`, ...figure(floor), status: 'reported' });
    }
    return { id: this.id, title: this.title, target: this.target, available: true, rows };
  },
};
