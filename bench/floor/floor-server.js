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
