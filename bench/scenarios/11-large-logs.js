'use strict';
const { alternateMany, roundRatios } = require('../lib/ab');
const { benchDatabase, taskColumns, taskRow } = require('../lib/db');
const { judge, notAvailable } = require('../lib/kit');
const { memoryOf, startFloor, startGateway } = require('../lib/processes');
const { median, round } = require('../lib/stats');
const legacy = require('./legacy-door');

const targetRatio = 0.7;
/** "RSS flat": the gateway's peak resident memory while streaming may exceed its resident memory before by at most this much. */
const flatRssMb = 64;
const logBytes = 1024 * 1024;
/** A stream still running after this long is cut and measured on what arrived: keeps the full run under its 10 minutes on a slow machine. */
const maxStreamMs = 60_000;

/**
 * Scenario 9: the legacy list (GET /api/virtshell/v1/tasks/) over 1,000 tasks whose logs are
 * 1 MB each (1 GB on the wire), against the floor streaming the same rows in the same shape
 * (bench/floor/floor-server.js: mysql2 row stream, JSON per row, backpressure). The rows are
 * written by SQL straight into the bench database (the floor reads the same rows), so the
 * scenario does not depend on the gateway's own log limit; where the migrations still leave
 * `log` a TEXT column (64 KB on MariaDB), the bench database's column is widened to LONGTEXT.
 */
module.exports = {
  id: 11,
  title: 'Legacy list with large logs: GET /api/virtshell/v1/tasks/ over 1,000 tasks with 1 MB logs vs a floor streaming the same rows',
  target: `streamed at >= ${targetRatio}x the floor (MB/s); gateway RSS flat (peak <= ${flatRssMb} MB over its RSS before)`,
  async run(ctx) {
    const kind = ctx.bigListKinds[0];
    if (kind !== 'mariadb') return notAvailable(this.id, this.title, 'needs MariaDB (the issue sets this target there)', this.target);
    const count = ctx.quick ? 50 : 1000;
    const db = await benchDatabase(kind);
    let gateway;
    let floor;
    try {
      gateway = await startGateway({ databaseUrl: db.url });
      const found = await legacy.probe(gateway, legacy.paths.all);
      if (!found.available) return notAvailable(this.id, this.title, found.why, this.target);
      const seedStart = performance.now();
      const widened = await seedLargeLogs(db, count);
      const seedSeconds = round((performance.now() - seedStart) / 1000, 1);
      floor = await startFloor('floor-server.js', db.floorEnv);
      const rssBefore = memoryOf(gateway.child.pid).rss;
      const details = { gateway: [], floor: [] };
      /** Each server's RSS every 200 ms while it streams: flat means the second half holds no more than the first. */
      const rss = { gateway: [], floor: [] };
      const runs = Object.fromEntries(
        Object.entries({ gateway, floor }).map(([name, server]) => [
          name,
          async () => {
            const before = memoryOf(server.child.pid).rss;
            const samples = [];
            const sampler = setInterval(() => samples.push(memoryOf(server.child.pid).rss), 200);
            const r = await legacy.download(server, legacy.paths.all, { maxMs: maxStreamMs }).finally(() => clearInterval(sampler));
            rss[name].push({ before, samples });
            if (r.status !== 200 || (!r.cut && r.tasks !== count)) throw new Error(`${name} answered ${r.status} with ${r.tasks} of ${count} tasks`);
            details[name].push(r);
            return r.bytes / 2 ** 20 / (r.lastByteMs / 1000);
          },
        ]),
      );
      // No warm-up stream: a gigabyte is long enough to warm up in. One stream each (gateway
      // first, then the floor) keeps the full run under 10 minutes.
      const figures = await alternateMany({ rounds: 1, runs });
      const ratio = roundRatios(figures.gateway, figures.floor);
      const peakGrowthMb = round((memoryOf(gateway.child.pid).peakRss - rssBefore) / 2 ** 20, 0);
      const rows = ['gateway', 'floor'].map((name) => ({
        label: `${kind}: ${name === 'gateway' ? 'taskgate' : 'floor (mysql2 row stream)'}, ${count} tasks x 1 MB log`,
        status: 'reported',
        mbPerSecondPerRound: figures[name].map((v) => round(v, 0)),
        mbPerSecond: round(median(figures[name]), 0),
        timeToFirstByteMs: round(median(details[name].map((r) => r.firstByteMs)), 0),
        megabytes: round(details[name][0].bytes / 2 ** 20, 0),
        tasksStreamed: details[name][0].tasks,
        // Cut after maxStreamMs: MB/s over what arrived in that time.
        cut: details[name].some((r) => r.cut),
      }));
      rows.push({ label: `${kind}: taskgate / floor (MB/s)`, status: judge(ratio.ratio, targetRatio), ...ratio, seedSeconds, logColumnWidened: widened });
      const mb = (bytes) => round(bytes / 2 ** 20, 0);
      for (const name of ['gateway', 'floor']) {
        const { before, samples } = rss[name][0];
        const half = Math.floor(samples.length / 2);
        rows.push({
          label: `${kind}: ${name === 'gateway' ? 'taskgate' : 'floor'} RSS while streaming (MB; sampled every 200 ms)`,
          status: 'reported',
          rssBeforeMb: mb(before),
          firstHalfPeakMb: mb(Math.max(before, ...samples.slice(0, half))),
          secondHalfPeakMb: mb(Math.max(before, ...samples.slice(half))),
          atEndMb: mb(samples.at(-1) ?? before),
        });
      }
      rows.push({
        label: `${kind}: taskgate RSS while streaming`,
        status: judge(peakGrowthMb, flatRssMb, false),
        rssBeforeMb: round(rssBefore / 2 ** 20, 0),
        peakRssMb: round(memoryOf(gateway.child.pid).peakRss / 2 ** 20, 0),
        peakGrowthMb,
      });
      return { id: this.id, title: this.title, target: this.target, available: true, rows };
    } finally {
      await gateway?.stop();
      await floor?.stop();
      await db.drop();
    }
  },
};

/** Tasks per INSERT: each statement writes this many megabytes in one transaction, well inside the redo log (96 MB in the bench's MariaDB). */
const seedSlice = 16;

/**
 * `count` tasks, the rows `db.seed` makes (bench/lib/db.js taskRow) but each with a 1 MB log built
 * by the server itself (no megabyte packets), inserted in one pass; true when `log` had to be
 * widened. One pass rather than seeding then updating: InnoDB reads a row's off-page log to update
 * it, and an UPDATE per slice that scans the table reads every log written so far (about 10 GB
 * read to write 1 GB).
 */
async function seedLargeLogs(db, count) {
  const mysql = require('mysql2/promise');
  const conn = await mysql.createConnection(JSON.parse(db.floorEnv.FLOOR_MYSQL));
  try {
    const [[column]] = await conn.query("SELECT DATA_TYPE AS type FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 'tasks' AND COLUMN_NAME = 'log'");
    const widened = column.type.toLowerCase() !== 'longtext';
    if (widened) await conn.query('ALTER TABLE tasks MODIFY log LONGTEXT NULL');
    const line = 'step 0042: copying disk image block range, 4096 blocks done, checksum ok\n';
    const repeat = Math.ceil(logBytes / line.length);
    const columns = taskColumns.split(', ');
    const logAt = columns.indexOf('log');
    const placeholders = `(${columns.map((_, c) => (c === logAt ? "LEFT(CONCAT(?, ' ', REPEAT(?, ?)), ?)" : '?')).join(', ')})`;
    for (let from = 0; from < count; from += seedSlice) {
      const rows = [];
      const values = [];
      for (let i = from; i < Math.min(count, from + seedSlice); i++) {
        const row = taskRow(i);
        // The log is the task's id, a space, then the line repeated, cut at 1 MB.
        row.splice(logAt, 1, row[0], line, repeat, logBytes);
        values.push(...row);
        rows.push(placeholders);
      }
      await conn.query(`INSERT INTO tasks (${taskColumns}) VALUES ${rows.join(', ')}`, values);
    }
    return widened;
  } finally {
    await conn.end();
  }
}
