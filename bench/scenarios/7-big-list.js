'use strict';
const { benchDatabase } = require('../lib/db');
const { judge, notAvailable } = require('../lib/kit');
const { memoryOf, startGateway } = require('../lib/processes');
const legacy = require('./legacy-door');

const targetRssMb = 256;

/**
 * Scenario 7: GET /api/virtshell/v1/tasks/ over a million rows (seeded with bulk INSERTs):
 * time to last byte, tasks/s, and the gateway's peak RSS (VmHWM) while it streams.
 */
module.exports = {
  id: 7,
  title: 'Big list: GET /api/virtshell/v1/tasks/ over 1,000,000 rows',
  target: `peak gateway RSS <= ${targetRssMb} MB`,
  async run(ctx) {
    const rows = [];
    const count = ctx.quick ? 20_000 : 1_000_000;
    for (const kind of ctx.bigListKinds) {
      const db = await benchDatabase(kind);
      let gateway;
      try {
        gateway = await startGateway({ databaseUrl: db.url });
        const found = await legacy.probe(gateway, legacy.paths.all);
        if (!found.available) return notAvailable(this.id, this.title, found.why, this.target);
        const seedStart = performance.now();
        await db.seed(count, { events: false });
        const seedMs = performance.now() - seedStart;
        const before = memoryOf(gateway.child.pid);
        const result = await legacy.download(gateway, legacy.paths.all);
        const after = memoryOf(gateway.child.pid);
        const peakMb = after.peakRss / 2 ** 20;
        rows.push({
          label: `${kind}: ${count.toLocaleString('en')} rows`,
          seedSeconds: Number((seedMs / 1000).toFixed(1)),
          status: result.status === 200 && result.tasks === count ? judge(peakMb, targetRssMb, false) : `FAILED (HTTP ${result.status}, ${result.tasks} tasks)`,
          timeToLastByteMs: Math.round(result.lastByteMs),
          timeToFirstByteMs: Math.round(result.firstByteMs),
          tasksPerSecond: Math.round(result.tasks / (result.lastByteMs / 1000)),
          megabytes: Number((result.bytes / 2 ** 20).toFixed(1)),
          rssBeforeMb: Math.round(before.rss / 2 ** 20),
          peakRssMb: Math.round(peakMb),
        });
      } finally {
        await gateway?.stop();
        await db.drop();
      }
    }
    return { id: this.id, title: this.title, target: this.target, available: true, rows };
  },
};
