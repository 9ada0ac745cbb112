'use strict';
/**
 * Peer: the fastest GraphQL stack a Node user would pick instead of taskgate, written as its
 * documentation shows. Fastify 5 + Mercurius 16 with graphql-jit (`jit: 1`: every query is
 * compiled the first time it is seen), a hand-written SDL for `task(id)`, and mysql2 prepared
 * statements on its own table (PEER_TABLE, same columns as `tasks`), with the gateway's pool
 * size. No authentication: it ignores the signature headers the bench sends to every server.
 *
 * Database settings: FLOOR_MYSQL (JSON connection options), FLOOR_POOL_SIZE, PEER_TABLE; PORT.
 */
const Fastify = require('fastify');
const mercurius = require('mercurius');
const mysql = require('mysql2');
const { DateTimeISOResolver } = require('graphql-scalars');

const table = process.env.PEER_TABLE ?? 'peer_mercurius_tasks';
const pool = mysql
  .createPool({ ...JSON.parse(process.env.FLOOR_MYSQL), connectionLimit: Number(process.env.FLOOR_POOL_SIZE ?? 10), timezone: 'Z', charset: 'utf8mb4' })
  .promise();
const read = `SELECT uuid, description, status, type, object_uuid, created_at, created_by, last_update, log, version FROM ${table} WHERE uuid = ?`;

const schema = `
  scalar DateTimeISO
  enum TaskStatus { PENDING IN_PROGRESS SUCCESS FAILED }
  type Creation { at: DateTimeISO! by: String! }
  type Task {
    id: ID!
    description: String!
    status: TaskStatus!
    type: String
    objectUuid: String
    created: Creation!
    lastUpdate: DateTimeISO!
    log: String
    version: Int!
  }
  type Query { task(id: ID!): Task }
`;

const resolvers = {
  DateTimeISO: DateTimeISOResolver,
  Query: {
    async task(_root, { id }) {
      const [rows] = await pool.execute(read, [id]);
      const row = rows[0];
      if (!row) return null;
      return {
        id: row.uuid,
        description: row.description,
        status: row.status,
        type: row.type,
        objectUuid: row.object_uuid,
        created: { at: row.created_at, by: row.created_by },
        lastUpdate: row.last_update,
        log: row.log,
        version: row.version,
      };
    },
  },
};

const app = Fastify({ logger: false });
app.register(mercurius, { schema, resolvers, jit: 1, path: '/graphql' });
app.listen({ port: Number(process.env.PORT), host: '127.0.0.1' }).catch((error) => {
  console.error(error);
  process.exit(1);
});
// A normal exit on SIGTERM, so node --cpu-prof (BENCH_PEER_NODE_ARGS) writes its profile.
process.on('SIGTERM', () => app.close().then(() => process.exit(0)));
