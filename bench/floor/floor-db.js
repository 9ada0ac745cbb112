'use strict';
/**
 * The floors' database access: the same SQL the gateway runs, through the driver alone (mysql2
 * prepared statements with the gateway's pool size, or better-sqlite3 prepared statements).
 * FLOOR_DATABASE=mysql|sqlite, FLOOR_MYSQL (JSON connection options), FLOOR_POOL_SIZE, FLOOR_SQLITE_FILE.
 */
const columns = 'uuid, description, status, stage, type, object_uuid, created_at, created_by, last_update, log, version';
const sql = {
  read: `SELECT ${columns} FROM tasks WHERE uuid = ?`,
  list: (limit) => `SELECT ${columns} FROM tasks WHERE status = ? ORDER BY created_at, uuid LIMIT ${limit}`,
  all: `SELECT ${columns} FROM tasks ORDER BY created_at, uuid`,
  update: 'UPDATE tasks SET log = ?, last_update = ?, version = version + 1 WHERE uuid = ?',
  event:
    'INSERT INTO task_events (task_uuid, kind, version, status, previous_status, stage, previous_stage, log, changed_at, changed_by) ' +
    "SELECT uuid, 'UPDATED', version, status, status, stage, stage, ?, last_update, ? FROM tasks WHERE uuid = ?",
  start: "UPDATE tasks SET status = 'IN_PROGRESS', stage = 'in progress', last_update = ?, version = version + 1 WHERE uuid = ?",
  startEvent:
    'INSERT INTO task_events (task_uuid, kind, version, status, previous_status, stage, previous_stage, log, changed_at, changed_by) ' +
    "SELECT uuid, 'UPDATED', version, status, 'PENDING', stage, 'pending', log, last_update, ? FROM tasks WHERE uuid = ?",
};

const dbTime = (date) => date.toISOString().slice(0, 23).replace('T', ' ');
const toDate = (value) => (value instanceof Date ? value : new Date(`${String(value).replace(' ', 'T')}Z`));

function taskJson(row) {
  return {
    id: row.uuid,
    description: row.description,
    status: row.status,
    type: row.type,
    objectUuid: row.object_uuid,
    created: { at: toDate(row.created_at).toISOString(), by: row.created_by },
    lastUpdate: toDate(row.last_update).toISOString(),
    log: row.log,
    version: Number(row.version),
  };
}

function database() {
  if (process.env.FLOOR_DATABASE === 'sqlite') {
    const Sqlite = require('better-sqlite3');
    const db = new Sqlite(process.env.FLOOR_SQLITE_FILE);
    db.pragma('journal_mode = WAL');
    db.pragma('busy_timeout = 5000');
    db.pragma('synchronous = NORMAL');
    const statements = new Map();
    const prepared = (text) => {
      let s = statements.get(text);
      if (!s) statements.set(text, (s = db.prepare(text)));
      return s;
    };
    const write = db.transaction((id, log, by) => {
      prepared(sql.update).run(log, dbTime(new Date()), id);
      prepared(sql.event).run(log, by, id);
    });
    const start = db.transaction((id, by) => {
      prepared(sql.start).run(dbTime(new Date()), id);
      return Number(prepared(sql.startEvent).run(by, id).lastInsertRowid);
    });
    return {
      select: async (text, params) => prepared(text).all(...params),
      stream: (text) => require('node:stream').Readable.from(prepared(text).iterate(), { objectMode: true }),
      write: async (id, log, by) => write(id, log, by),
      start: async (id, by) => start(id, by),
    };
  }
  const mysql = require('mysql2');
  const pool = mysql.createPool({
    ...JSON.parse(process.env.FLOOR_MYSQL),
    connectionLimit: Number(process.env.FLOOR_POOL_SIZE ?? 10),
    timezone: 'Z',
    charset: 'utf8mb4',
  });
  const promised = pool.promise();
  /** Runs `statements(conn)` in one transaction; resolves to what it returns. */
  const inTransaction = async (statements) => {
    const conn = await promised.getConnection();
    try {
      await conn.query('START TRANSACTION');
      const result = await statements(conn);
      await conn.query('COMMIT');
      return result;
    } catch (error) {
      await conn.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      conn.release();
    }
  };
  return {
    select: async (text, params) => (await promised.execute(text, params))[0],
    /** Rows one at a time as a readable stream (pause it to stop reading from the server). */
    stream: (text) => pool.query(text).stream({ highWaterMark: 16 }),
    write: (id, log, by) =>
      inTransaction(async (conn) => {
        await conn.execute(sql.update, [log, dbTime(new Date()), id]);
        await conn.execute(sql.event, [log, by, id]);
      }),
    start: (id, by) =>
      inTransaction(async (conn) => {
        await conn.execute(sql.start, [dbTime(new Date()), id]);
        const [result] = await conn.execute(sql.startEvent, [by, id]);
        return result.insertId;
      }),
  };
}

module.exports = { database, dbTime, toDate, taskJson, sql };
