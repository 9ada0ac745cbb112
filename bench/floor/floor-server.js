'use strict';
/**
 * The floor: the least a server can do to answer the bench's GraphQL bodies. A bare node:http
 * server that reads the body, runs the same SQL through the driver (mysql2 prepared statements
 * with the gateway's pool size, or better-sqlite3 prepared statements) and writes the same JSON
 * the gateway writes. No GraphQL, no framework: the ceiling taskgate is measured against.
 *
 * FLOOR_DATABASE=mysql|sqlite, FLOOR_MYSQL (JSON connection options), FLOOR_POOL_SIZE,
 * FLOOR_SQLITE_FILE, PORT.
 */
const http = require('node:http');

const columns = 'uuid, description, status, type, object_uuid, created_at, created_by, last_update, log, version';
const sql = {
  read: `SELECT ${columns} FROM tasks WHERE uuid = ?`,
  list: (limit) => `SELECT ${columns} FROM tasks WHERE status = ? ORDER BY created_at, uuid LIMIT ${limit}`,
  update: 'UPDATE tasks SET log = ?, last_update = ?, version = version + 1 WHERE uuid = ?',
  event:
    'INSERT INTO task_events (task_uuid, version, status, previous_status, log, changed_at, changed_by) ' +
    'SELECT uuid, version, status, status, ?, last_update, ? FROM tasks WHERE uuid = ?',
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
    return {
      select: async (text, params) => prepared(text).all(...params),
      write: async (id, log, by) => write(id, log, by),
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
  return {
    select: async (text, params) => (await promised.execute(text, params))[0],
    async write(id, log, by) {
      const conn = await promised.getConnection();
      try {
        await conn.query('START TRANSACTION');
        await conn.execute(sql.update, [log, dbTime(new Date()), id]);
        await conn.execute(sql.event, [log, by, id]);
        await conn.query('COMMIT');
      } catch (error) {
        await conn.query('ROLLBACK').catch(() => undefined);
        throw error;
      } finally {
        conn.release();
      }
    },
  };
}

const db = database();

async function answer(request) {
  const variables = request.variables ?? {};
  switch (request.operationName) {
    case 'Task': {
      const rows = await db.select(sql.read, [variables.id]);
      return { data: { task: rows.length ? taskJson(rows[0]) : null } };
    }
    case 'Tasks': {
      const first = variables.first ?? 50;
      const rows = await db.select(sql.list(first + 1), [variables.status]);
      const edges = rows.slice(0, first).map((row) => ({
        cursor: Buffer.from(`${dbTime(toDate(row.created_at))}|${row.uuid}`).toString('base64url'),
        node: taskJson(row),
      }));
      return { data: { tasks: { edges, pageInfo: { hasNextPage: rows.length > first, endCursor: edges.at(-1)?.cursor ?? null } } } };
    }
    case 'UpdateTask': {
      await db.write(variables.id, variables.log, 'anonymous');
      return { data: { updateTask: { id: variables.id, log: variables.log } } };
    }
    default:
      return { data: { __typename: 'Query' } };
  }
}

http
  .createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      answer(JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}')).then(
        (result) => {
          const text = `${JSON.stringify(result)}\n`;
          res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text) });
          res.end(text);
        },
        (error) => {
          res.writeHead(500, { 'content-type': 'application/json' });
          res.end(JSON.stringify({ errors: [{ message: String(error) }] }));
        },
      );
    });
  })
  .listen(Number(process.env.PORT), '127.0.0.1');
