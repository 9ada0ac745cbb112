'use strict';
const { mkdtempSync, rmSync } = require('node:fs');
const { tmpdir } = require('node:os');
const { join } = require('node:path');

/**
 * The bench's own databases: a MariaDB database `taskgate_bench_<pid>` (created fresh and dropped at
 * the end; never a table anyone else uses) and a SQLite file in a temporary folder.
 */
const mysqlBase = () => new URL(process.env.BENCH_MYSQL_URL ?? process.env.TEST_MYSQL_URL ?? 'mariadb://root@127.0.0.1:3306/test');

function adminOptions() {
  const base = mysqlBase();
  return { host: base.hostname, port: Number(base.port || 3306), user: decodeURIComponent(base.username || 'root'), password: decodeURIComponent(base.password) };
}

async function mariadbAvailable() {
  const mysql = require('mysql2/promise');
  try {
    const conn = await mysql.createConnection({ ...adminOptions(), connectTimeout: 2000 });
    const [rows] = await conn.query('SELECT VERSION() AS v');
    await conn.end();
    return rows[0].v;
  } catch {
    return null;
  }
}

/** A fresh database of the kind: { kind, url, drop(), seed(count, options) }. */
async function benchDatabase(kind, name = `taskgate_bench_${process.pid}`) {
  if (kind === 'sqlite') {
    const dir = mkdtempSync(join(tmpdir(), 'taskgate-bench-'));
    const file = join(dir, 'tasks.db');
    return {
      kind,
      url: `sqlite:${file}`,
      floorEnv: { FLOOR_DATABASE: 'sqlite', FLOOR_SQLITE_FILE: file },
      async drop() {
        rmSync(dir, { recursive: true, force: true });
      },
      async seed(count, options) {
        seedSqlite(file, count, options);
      },
    };
  }
  const mysql = require('mysql2/promise');
  const admin = await mysql.createConnection(adminOptions());
  await admin.query(`DROP DATABASE IF EXISTS ${name}`);
  await admin.query(`CREATE DATABASE ${name} CHARACTER SET utf8mb4`);
  await admin.end();
  const url = new URL(mysqlBase().toString());
  url.protocol = 'mariadb:';
  url.pathname = `/${name}`;
  const connection = { ...adminOptions(), database: name };
  return {
    kind,
    url: url.toString(),
    floorEnv: { FLOOR_DATABASE: 'mysql', FLOOR_MYSQL: JSON.stringify(connection), FLOOR_POOL_SIZE: '10' },
    async drop() {
      const conn = await mysql.createConnection(adminOptions());
      await conn.query(`DROP DATABASE IF EXISTS ${name}`);
      await conn.end();
    },
    async seed(count, options) {
      await seedMysql(connection, count, options);
    },
    /** A copy of `tasks` (same columns, same rows) under another name: a peer's own table. */
    async copyTasks(table) {
      const conn = await mysql.createConnection(connection);
      try {
        await conn.query(`CREATE TABLE ${table} LIKE tasks`);
        await conn.query(`INSERT INTO ${table} SELECT * FROM tasks`);
      } finally {
        await conn.end();
      }
    },
  };
}

/** Deterministic task ids, so load generators can ask for tasks that exist. */
function taskId(i, prefix = 0) {
  return `${prefix.toString(16).padStart(8, '0')}-0000-4000-8000-${i.toString(16).padStart(12, '0')}`;
}

/** The documented word of each phase (tasks.stage, issue 11), as the migration fills in older rows. */
const wordOf = { PENDING: 'pending', IN_PROGRESS: 'in progress', SUCCESS: 'sucess', FAILED: 'failed' };

/** Row values for task i: (uuid, description, status, stage, type, object_uuid, created_at, created_by, last_update, log, version). */
function taskRow(i, { status = 'PENDING', prefix = 0, base = Date.UTC(2025, 0, 1) } = {}) {
  const at = new Date(base + i * 10).toISOString().slice(0, 23).replace('T', ' ');
  return [taskId(i, prefix), `bench task number ${i}`, status, wordOf[status], 'create_instance', null, at, 'bench', at, 'created by the bench', 1];
}

const taskColumns = 'uuid, description, status, stage, type, object_uuid, created_at, created_by, last_update, log, version';
const eventColumns = 'task_uuid, kind, version, status, stage, previous_status, previous_stage, log, changed_at, changed_by';
/** The creation event of a task row. */
const eventRow = (row) => [row[0], 'CREATED', 1, row[2], row[3], null, null, row[9], row[6], 'bench'];

/** Bulk multi-row INSERTs: a million tasks in tens of seconds, not hours. */
async function seedMysql(connection, count, options = {}) {
  const mysql = require('mysql2/promise');
  const conn = await mysql.createConnection(connection);
  const batch = 5000;
  try {
    for (let start = 0; start < count; start += batch) {
      const rows = [];
      for (let i = start; i < Math.min(count, start + batch); i++) rows.push(taskRow(i, options));
      await conn.query(`INSERT INTO tasks (${taskColumns}) VALUES ?`, [rows]);
      if (options.events !== false) await conn.query(`INSERT INTO task_events (${eventColumns}) VALUES ?`, [rows.map(eventRow)]);
    }
  } finally {
    await conn.end();
  }
}

function seedSqlite(file, count, options = {}) {
  const Database = require('better-sqlite3');
  const db = new Database(file);
  db.pragma('busy_timeout = 5000');
  const insertTask = db.prepare(`INSERT INTO tasks (${taskColumns}) VALUES (${new Array(11).fill('?').join(', ')})`);
  const insertEvent = db.prepare(`INSERT INTO task_events (${eventColumns}) VALUES (${new Array(10).fill('?').join(', ')})`);
  const chunk = db.transaction((from, to) => {
    for (let i = from; i < to; i++) {
      const row = taskRow(i, options);
      insertTask.run(...row);
      if (options.events !== false) insertEvent.run(...eventRow(row));
    }
  });
  for (let start = 0; start < count; start += 20_000) chunk(start, Math.min(count, start + 20_000));
  db.close();
}

module.exports = { benchDatabase, mariadbAvailable, taskId, adminOptions, taskColumns, taskRow };
