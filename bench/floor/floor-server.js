'use strict';
/**
 * The floor: the least a server can do to answer the bench's GraphQL bodies. A bare node:http
 * server that reads the body, runs the same SQL through the driver (mysql2 prepared statements
 * with the gateway's pool size, or better-sqlite3 prepared statements) and writes the same JSON
 * the gateway writes. No GraphQL, no framework: the ceiling taskgate is measured against.
 *
 * Database settings: floor-db.js; PORT.
 */
const http = require('node:http');

const { database, dbTime, toDate, taskJson, sql } = require('./floor-db');

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

const epochSeconds = (value) => String(Math.floor(toDate(value).getTime() / 1000));

/** GET /api/virtshell/v1/tasks/: every task in the legacy shape, row by row as the driver reads them, honouring backpressure. */
function streamLegacyList(res) {
  const rows = db.stream(sql.all);
  res.writeHead(200, { 'content-type': 'application/json; charset=utf-8' });
  res.write('{"tasks":[');
  let separator = '';
  rows.on('data', (row) => {
    const task = {
      uuid: row.uuid,
      description: row.description,
      // The word as written (`sucess` spelled as the legacy API spells it).
      status: row.stage,
      type: row.type,
      object_uuid: row.object_uuid,
      created: { at: epochSeconds(row.created_at), by: row.created_by },
      last_update: epochSeconds(row.last_update),
      log: row.log,
      version: Number(row.version),
    };
    const more = res.write(separator + JSON.stringify(task));
    separator = ',';
    if (!more) {
      rows.pause();
      res.once('drain', () => rows.resume());
    }
  });
  rows.on('end', () => res.end(']}'));
  rows.on('error', () => res.destroy());
  res.on('close', () => rows.destroy());
}

http
  .createServer((req, res) => {
    if (req.method === 'GET' && req.url === '/api/virtshell/v1/tasks/') return streamLegacyList(res);
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
