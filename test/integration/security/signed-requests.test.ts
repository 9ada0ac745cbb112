import WebSocket from 'ws';
import { createKey } from '../../../src/auth/keys-commands';
import { databaseKinds } from '../../helpers/databases';
import { captureLogs } from '../../helpers/log-capture';
import { startServer, testKeys, type TestServer } from '../../helpers/server';
import { signedConnectionParams, signedHeaders, stringToSignOf } from '../../helpers/signing';
import { eventually } from '../../helpers/ws-client';

/**
 * Security regressions (issue 13 item 4, issue 14 items 1, 3, 5, 6): what one captured signature
 * can do, and what a refused caller is told. A real server, real sockets, SQLite and MariaDB.
 */
const writer = testKeys.writer;

/** Opens a raw graphql-ws socket, sends connection_init with `payload`, and resolves with how the server closed it. */
function closeOf(url: string, payload: unknown): Promise<{ code: number; reason: string; acked: boolean }> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url, 'graphql-transport-ws');
    let acked = false;
    const timer = setTimeout(() => {
      socket.terminate();
      reject(new Error('the server kept the socket open'));
    }, 15_000);
    socket.on('open', () => socket.send(JSON.stringify({ type: 'connection_init', payload })));
    socket.on('message', (data) => {
      if (JSON.parse(String(data)).type !== 'connection_ack') return;
      acked = true;
      socket.close(1000);
    });
    socket.on('error', () => undefined);
    socket.on('close', (code, reason) => {
      clearTimeout(timer);
      resolve({ code, reason: String(reason), acked });
    });
  });
}

describe.each(databaseKinds())('signed requests under attack on %s', (kind) => {
  let server: TestServer;
  const logs = captureLogs();

  beforeAll(async () => {
    server = await startServer(kind, {}, { logDestination: logs.stream });
  });
  afterAll(() => server.stop());

  const get = async (path: string, headers: Record<string, string>) => {
    const response = await fetch(`${server.baseUrl}${path}`, { headers });
    return { status: response.status, body: (await response.json()) as any };
  };

  it('refuses a captured signed read sent with another query string', async () => {
    const headers = signedHeaders(writer, { method: 'GET', host: server.host, path: '/tasks/?limit=1' });
    expect((await get('/tasks/?limit=1', headers)).status).toBe(200);
    const widened = await get('/tasks/?limit=500', headers);
    expect(widened.status).toBe(401);
    expect(widened.body.error).toBe('SignatureDoesNotMatch');
    const added = await get('/tasks/?limit=1&after=0', headers);
    expect(added.status).toBe(401);

    const query = `/graphql?query=${encodeURIComponent('{ lastEventId }')}`;
    const graphqlHeaders = signedHeaders(writer, { method: 'GET', host: server.host, path: query });
    expect((await get(query, graphqlHeaders)).status).toBe(200);
    const other = await get(`/graphql?query=${encodeURIComponent('{ tasks(first: 500) { edges { node { description } } } }')}`, graphqlHeaders);
    expect(other.status).toBe(401);
    expect(other.body.error).toBe('SignatureDoesNotMatch');
  });

  it('refuses a WebSocket handshake signature as an HTTP request, and an HTTP signature as a handshake', async () => {
    // The handshake's signature (GRAPHQL-WS ... /graphql), sent as the headers of GET /graphql.
    const date = new Date();
    const params = signedConnectionParams(writer, server.host, date);
    const asHttp = await get('/graphql', { 'x-virtshell-authorization': params.authorization, 'x-virtshell-date': params.date });
    expect(asHttp.status).toBe(401);
    expect(asHttp.body.error).toBe('SignatureDoesNotMatch');

    // A signed GET /graphql (no query), replayed as connectionParams.
    const httpHeaders = signedHeaders(writer, { method: 'GET', host: server.host, path: '/graphql', date, virtshellDate: true });
    const asSocket = await closeOf(server.wsUrl, { authorization: httpHeaders['x-virtshell-authorization'], date: httpHeaders['x-virtshell-date'] });
    expect(asSocket).toMatchObject({ code: 4403, reason: 'SignatureDoesNotMatch', acked: false });

    expect(await closeOf(server.wsUrl, params)).toMatchObject({ acked: true });
  });

  it('accepts the access key id in place of the user id, on HTTP and WebSocket', async () => {
    const key = await createKey(server.app.dataSource, { user: 'key-id-user', role: 'write' });
    const body = JSON.stringify({ query: 'mutation { createTask(input: {description: "signed with a key id"}) { created { by } } }' });
    const sign = () => signedHeaders({ user: key.id, secret: key.secret }, { method: 'POST', host: server.host, path: '/graphql', body, contentType: 'application/json' });
    // A key created a moment ago by another process is picked up within a second.
    let response!: Response;
    await eventually(async () => {
      response = await fetch(`${server.baseUrl}/graphql`, { method: 'POST', headers: sign(), body });
      return response.status === 200;
    }, 'the key id to be accepted');
    expect(((await response.json()) as any).data.createTask.created.by).toBe('key-id-user');
    expect(await closeOf(server.wsUrl, signedConnectionParams({ user: key.id, secret: key.secret }, server.host))).toMatchObject({ acked: true });
  });

  it('tells a caller with a skewed clock the server time, and one with a bad signature the string it expected', async () => {
    const skewed = await get('/tasks/', signedHeaders(writer, { method: 'GET', host: server.host, path: '/tasks/', date: new Date(Date.now() - 3_600_000) }));
    expect(skewed.status).toBe(401);
    expect(skewed.body).toMatchObject({ error: 'RequestTimeTooSkewed', message: expect.stringMatching(/clock/) });
    expect(Math.abs(Date.parse(skewed.body.serverTime) - Date.now())).toBeLessThan(600_000);

    const body = JSON.stringify({ query: '{ lastEventId }' });
    const input = { method: 'POST', host: server.host, path: '/graphql?x=1', body, contentType: 'application/json', date: new Date() };
    const wrongSecret = await fetch(`${server.baseUrl}/graphql?x=1`, { method: 'POST', headers: signedHeaders({ user: writer.user, secret: 'wrong' }, input), body });
    const answer = (await wrongSecret.json()) as any;
    expect(wrongSecret.status).toBe(401);
    expect(answer).toMatchObject({ error: 'SignatureDoesNotMatch', message: expect.stringMatching(/stringToSign/), stringToSign: stringToSignOf(input) });
    expect(JSON.stringify(answer)).not.toContain(writer.secret);
    expect(answer.errors[0].extensions).toMatchObject({ code: 'UNAUTHENTICATED', reason: 'SignatureDoesNotMatch' });

    const legacy = await fetch(`${server.baseUrl}/tasks/`, { method: 'POST', headers: { 'content-length': '2' }, body: '{}' });
    expect(await legacy.json()).toMatchObject({ error: 'MissingAuthorization', message: expect.stringMatching(/X-VirtShell-Authorization/) });
  });

  it('explains a refused replay: distinct dates, Content-MD5, in the same shape as other refusals', async () => {
    // Bytes, not a string: fetch would add a Content-Type the signature does not cover.
    const body = Buffer.from(JSON.stringify({ description: 'written once' }));
    const headers = signedHeaders(writer, { method: 'POST', host: server.host, path: '/tasks/', body });
    expect((await fetch(`${server.baseUrl}/tasks/`, { method: 'POST', headers, body })).status).toBe(200);
    const replay = await fetch(`${server.baseUrl}/tasks/`, { method: 'POST', headers, body });
    expect(replay.status).toBe(401);
    expect(await replay.json()).toMatchObject({ error: 'RequestReplayed', message: expect.stringMatching(/milliseconds.*Content-MD5/) });

    // Two identical writes made in one second, each with its own millisecond date, are both served.
    const second = new Date(Math.floor(Date.now() / 1000) * 1000);
    for (const ms of [1, 2]) {
      const h = signedHeaders(writer, { method: 'POST', host: server.host, path: '/tasks/', body, date: new Date(second.getTime() + ms) });
      expect((await fetch(`${server.baseUrl}/tasks/`, { method: 'POST', headers: h, body })).status).toBe(200);
    }
  });

  it('closes a refused WebSocket with 4403 and the reason, and logs who and why', async () => {
    const skewed = signedConnectionParams(testKeys.reader, server.host, new Date(Date.now() - 3_600_000));
    expect(await closeOf(server.wsUrl, skewed)).toMatchObject({ code: 4403, reason: 'RequestTimeTooSkewed' });
    expect(await closeOf(server.wsUrl, {})).toMatchObject({ code: 4403, reason: 'MissingAuthorization' });
    await eventually(
      () => logs.records().some((r) => r.msg === 'WebSocket connection refused' && r.user === testKeys.reader.user && r.reason === 'RequestTimeTooSkewed'),
      'the refusal to be logged with user and reason',
    );
    expect(logs.lines.join('\n')).not.toContain(testKeys.reader.secret);
  });

  it('serves a signed GET /graphql without a CSRF header (urql), while an unsigned one stays refused', async () => {
    const path = `/graphql?query=${encodeURIComponent('{ lastEventId }')}`;
    const signed = await get(path, signedHeaders(writer, { method: 'GET', host: server.host, path }));
    expect(signed.status).toBe(200);
    expect(signed.body.data.lastEventId).toEqual(expect.any(String));
  });
});

describe('Apollo CSRF prevention with authentication off', () => {
  it('still refuses an unsigned GET /graphql without a preflight header', async () => {
    const server = await startServer('sqlite', { TASKGATE_AUTH: 'off' });
    try {
      const path = `/graphql?query=${encodeURIComponent('{ lastEventId }')}`;
      expect((await fetch(`${server.baseUrl}${path}`)).status).toBe(400);
      expect((await fetch(`${server.baseUrl}${path}`, { headers: { 'apollo-require-preflight': 'true' } })).status).toBe(200);
    } finally {
      await server.stop();
    }
  });
});
