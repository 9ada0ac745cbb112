import { request } from 'node:http';
import { databaseKinds } from '../../helpers/databases';
import { startServer, testKeys, type TestServer } from '../../helpers/server';
import { signedHeaders } from '../../helpers/signing';

/**
 * Security regressions (issue 13 items 5 and 11, and the low finding on read keys): without
 * Redis a signed write is served once across restarts and instances sharing a database; with
 * Content-MD5 off a signature carries one body only. Real servers, SQLite and MariaDB.
 */
const writer = testKeys.writer;
// Bytes, not strings: fetch would add a Content-Type the signature does not cover.
const bytes = (value: unknown) => Buffer.from(JSON.stringify(value));

/** POST with the Host header given (fetch always sends the URL's): instances behind one name. */
function post(baseUrl: string, path: string, headers: Record<string, string>, body: Buffer): Promise<{ status: number; body: any }> {
  return new Promise((resolve, reject) => {
    const req = request(`${baseUrl}${path}`, { method: 'POST', headers: { ...headers, 'content-length': String(body.length) } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(Buffer.concat(chunks).toString('utf8')) }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

async function count(server: TestServer, table: 'tasks' | 'replay_claims'): Promise<number> {
  const rows = await server.app.dataSource.query(`SELECT COUNT(*) AS n FROM ${table}`);
  return Number(rows[0].n);
}

describe.each(databaseKinds())('the replay guard without Redis on %s', (kind) => {
  it('refuses a signed write replayed after a restart', async () => {
    const first = await startServer(kind);
    let second: TestServer | undefined;
    try {
      const body = bytes({ description: 'created once, across restarts' });
      const headers = signedHeaders(writer, { method: 'POST', host: first.host, path: '/tasks/', body });
      expect((await fetch(`${first.baseUrl}/tasks/`, { method: 'POST', headers, body })).status).toBe(200);
      await first.app.stop();
      // The same database, a new process (its Host differs only by port: sign for it as the attacker would).
      second = await startServer(kind, { DATABASE_URL: first.databaseUrl });
      const response = await post(second.baseUrl, '/tasks/', { ...headers, host: first.host }, body);
      expect(response.status).toBe(401);
      expect(response.body.error).toBe('RequestReplayed');
      expect(await count(second, 'tasks')).toBe(1);
    } finally {
      await second?.stop();
      await first.stop();
    }
  });

  it('refuses a signed mutation replayed to a second instance on the same database', async () => {
    const a = await startServer(kind);
    const b = await startServer(kind, { DATABASE_URL: a.databaseUrl });
    try {
      const body = bytes({ query: 'mutation { createTask(input: {description: "created once, across instances"}) { id } }' });
      const headers = signedHeaders(writer, { method: 'POST', host: 'gateway.example', path: '/graphql', body, contentType: 'application/json' });
      // Both instances sit behind one name (a load balancer); the client signed that Host.
      expect((await post(a.baseUrl, '/graphql', { ...headers, host: 'gateway.example' }, body)).status).toBe(200);
      const replay = await post(b.baseUrl, '/graphql', { ...headers, host: 'gateway.example' }, body);
      expect(replay.status).toBe(401);
      expect(replay.body.errors[0].extensions.reason).toBe('RequestReplayed');
      expect(await count(a, 'tasks')).toBe(1);
    } finally {
      await b.stop();
      await a.stop();
    }
  });

  it("does not record a read key's refused writes", async () => {
    const server = await startServer(kind);
    try {
      const before = await count(server, 'replay_claims');
      const body = bytes({ description: 'a read key may not write' });
      const rest = await fetch(`${server.baseUrl}/tasks/`, { method: 'POST', headers: signedHeaders(testKeys.reader, { method: 'POST', host: server.host, path: '/tasks/', body }), body });
      expect(rest.status).toBe(403);
      const gql = await server.gql('mutation { createTask(input: {description: "no"}) { id } }', {}, { user: 'reader' });
      expect(gql.errors?.[0].extensions?.code).toBe('FORBIDDEN');
      expect(await count(server, 'replay_claims')).toBe(before);
      // A writer's accepted write is recorded.
      expect((await server.request('POST', '/tasks/', { body: { description: 'a writer may' } })).status).toBe(200);
      expect(await count(server, 'replay_claims')).toBe(before + 1);
    } finally {
      await server.stop();
    }
  });
});

describe.each(databaseKinds())('TASKGATE_REQUIRE_BODY_MD5=off on %s', (kind) => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startServer(kind, { TASKGATE_REQUIRE_BODY_MD5: 'off' });
  });
  afterAll(() => server.stop());

  it('refuses a captured signed read re-sent with a mutation in its body, and writes nothing', async () => {
    const read = bytes({ query: '{ lastEventId }' });
    const headers = signedHeaders(writer, { method: 'POST', host: server.host, path: '/graphql', body: read, contentType: 'application/json', md5: false });
    expect(headers['content-md5']).toBeUndefined();
    expect((await fetch(`${server.baseUrl}/graphql`, { method: 'POST', headers, body: read })).status).toBe(200);
    const tasks = await count(server, 'tasks');
    const swapped = bytes({ query: 'mutation { createTask(input: {description: "carried by a stolen signature"}) { id } }' });
    const response = await fetch(`${server.baseUrl}/graphql`, { method: 'POST', headers, body: swapped });
    expect(response.status).toBe(401);
    expect(((await response.json()) as any).error).toBe('RequestReplayed');
    expect(await count(server, 'tasks')).toBe(tasks);
  });

  it('refuses a captured signed REST write re-sent with another body', async () => {
    const body = bytes({ description: 'the body that was signed' });
    const headers = signedHeaders(writer, { method: 'POST', host: server.host, path: '/tasks/', body, md5: false });
    expect((await fetch(`${server.baseUrl}/tasks/`, { method: 'POST', headers, body })).status).toBe(200);
    const tasks = await count(server, 'tasks');
    const other = bytes({ description: 'another body under the same signature' });
    const response = await fetch(`${server.baseUrl}/tasks/`, { method: 'POST', headers, body: other });
    expect(response.status).toBe(401);
    expect(((await response.json()) as any).error).toBe('RequestReplayed');
    expect(await count(server, 'tasks')).toBe(tasks);
  });

  it('still serves two identical writes signed with distinct millisecond dates', async () => {
    const body = bytes({ description: 'same body, twice' });
    const at = Date.now();
    for (const date of [new Date(at), new Date(at + 1)]) {
      const headers = signedHeaders(writer, { method: 'POST', host: server.host, path: '/tasks/', body, md5: false, date });
      expect((await fetch(`${server.baseUrl}/tasks/`, { method: 'POST', headers, body })).status).toBe(200);
    }
  });
});
