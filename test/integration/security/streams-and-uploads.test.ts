import { connect, type Socket } from 'node:net';
import { EventSource } from 'eventsource';
import WebSocket from 'ws';
import { createKey, revokeKey } from '../../../src/auth/keys-commands';
import { databaseKinds } from '../../helpers/databases';
import { startServer, testKeys, type TestServer } from '../../helpers/server';
import { signedHeaders, presignedUrl } from '../../helpers/signing';
import { SseReader } from '../../helpers/sse-client';
import { TcpProxy } from '../../helpers/tcp-proxy';
import { eventually } from '../../helpers/ws-client';

/**
 * Security regressions (issue 13 items 6 and 8, issue 14 item 4): revocation ends SSE streams;
 * uploads are refused or cut before their body is received; presigned URLs open the SSE feed
 * (with a real EventSource) and the WebSocket, and nothing else, and expire.
 */
const writer = testKeys.writer;

/** A raw HTTP exchange on its own socket: writes `head` (and nothing more), then collects what the server sends until it closes. */
class RawExchange {
  received = '';
  closed = false;
  private readonly socket: Socket;

  constructor(port: number, head: string) {
    this.socket = connect(port, '127.0.0.1', () => this.socket.write(head));
    this.socket.on('data', (chunk: Buffer) => (this.received += chunk.toString('latin1')));
    this.socket.on('error', () => undefined);
    this.socket.on('close', () => (this.closed = true));
  }

  get status(): number | undefined {
    const match = /^HTTP\/1\.1 (\d{3})/.exec(this.received);
    return match ? Number(match[1]) : undefined;
  }

  get body(): any {
    const at = this.received.indexOf('\r\n\r\n');
    return at === -1 ? undefined : JSON.parse(this.received.slice(at + 4));
  }

  destroy(): void {
    this.socket.destroy();
  }
}

const head = (method: string, path: string, host: string, headers: Record<string, string>) =>
  `${method} ${path} HTTP/1.1\r\nhost: ${host}\r\n${Object.entries(headers)
    .map(([name, value]) => `${name}: ${value}\r\n`)
    .join('')}\r\n`;

describe.each(databaseKinds())('streams and uploads on %s', (kind) => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startServer(kind, { TASKGATE_KEYS_REFRESH: '1', TASKGATE_BODY_TIMEOUT_MS: '1000', TASKGATE_PRESIGN_MAX_SECONDS: '600' });
  });
  afterAll(() => server.stop());

  it('ends the Server-Sent Events streams of a key once it is revoked', async () => {
    const key = await createKey(server.app.dataSource, { user: 'sse-revoked', role: 'read' });
    const credentials = { user: key.id, secret: key.secret };
    let response!: Response;
    await eventually(async () => {
      response = await server.stream('GET', '/tasks/events', { credentials, headers: { accept: 'text/event-stream' } });
      if (response.status !== 200) await response.body?.cancel();
      return response.status === 200;
    }, 'the new key to be accepted');
    const revokedStream = new SseReader(response);
    const other = new SseReader(await server.stream('GET', '/tasks/events', { headers: { accept: 'text/event-stream' } }));
    expect(await revokeKey(server.app.dataSource, key.id)).toBe(true);
    expect(await revokedStream.waitForEnd()).toEqual({});
    // Another key's stream goes on receiving events.
    const created = await server.request('POST', '/tasks/', { body: { description: 'seen after the revocation' } });
    expect((await other.waitFor(1))[0].data).toContain(created.body.task_id);
    await other.close();
  });

  it('answers an unsigned upload 401 from its headers, without waiting for the body, and closes the connection', async () => {
    const exchange = new RawExchange(server.port, head('POST', '/tasks/', server.host, { 'content-length': '1048576', 'content-type': 'application/json' }));
    try {
      await eventually(() => exchange.closed, 'the server to answer and close the connection');
      expect(exchange.status).toBe(401);
      expect(exchange.body.error).toBe('MissingAuthorization');
      const graphql = new RawExchange(server.port, head('POST', '/graphql', server.host, { 'content-length': '1048576', 'content-type': 'application/json' }));
      await eventually(() => graphql.closed, 'the GraphQL door to answer and close the connection');
      expect(graphql.status).toBe(401);
    } finally {
      exchange.destroy();
    }
  });

  it('cuts a signed upload whose body does not arrive in time with 408, writing nothing', async () => {
    const body = JSON.stringify({ description: 'never fully sent' });
    const headers = signedHeaders(writer, { method: 'POST', host: server.host, path: '/tasks/', body });
    const before = await server.app.dataSource.query('SELECT COUNT(*) AS n FROM tasks');
    // The headers and the first bytes of the body, then nothing more.
    const exchange = new RawExchange(server.port, head('POST', '/tasks/', server.host, { ...headers, 'content-length': String(body.length) }) + body.slice(0, 5));
    try {
      await eventually(() => exchange.closed, 'the slow upload to be cut');
      expect(exchange.received).toMatch(/^HTTP\/1\.1 408/);
      expect(await server.app.dataSource.query('SELECT COUNT(*) AS n FROM tasks')).toEqual(before);
    } finally {
      exchange.destroy();
    }
  });

  it('cuts a client that sends its headers too slowly', async () => {
    const slow = await startServer(kind, { TASKGATE_HEADERS_TIMEOUT_MS: '1000' });
    const exchange = new RawExchange(slow.port, `POST /tasks/ HTTP/1.1\r\nhost: ${slow.host}\r\ncontent-length: 1048576\r\n`);
    try {
      await eventually(() => exchange.closed, 'the connection to be cut');
      expect(exchange.received).toMatch(/^(HTTP\/1\.1 408|$)/);
    } finally {
      exchange.destroy();
      await slow.stop();
    }
  });

  it('opens the event feed for a browser-like EventSource with a presigned URL, its events reaching onmessage', async () => {
    const url = presignedUrl(writer, `${server.baseUrl}/tasks/events?status=failed`, new Date(Date.now() + 300_000));
    const source = new EventSource(url);
    const received: { id: string; data: any }[] = [];
    source.onmessage = (event) => received.push({ id: event.lastEventId, data: JSON.parse(event.data) });
    try {
      await new Promise<void>((resolve, reject) => {
        source.onopen = () => resolve();
        source.onerror = (error) => reject(new Error(`EventSource failed: ${error.message ?? error.code}`));
      });
      const created = await server.request('POST', '/tasks/', { body: { description: 'watched through a presigned URL' } });
      await server.request('PUT', `/tasks/${created.body.task_id}`, { body: { status: 'failed', log: 'broke' } });
      await eventually(() => received.length === 1, 'the failed status to arrive through onmessage');
      expect(received[0].data).toMatchObject({ uuid: created.body.task_id, status: 'failed' });
    } finally {
      source.close();
    }
  });

  it('resumes a presigned EventSource after the connection drops: the same URL, Last-Event-ID, nothing missed or repeated', async () => {
    const proxy = new TcpProxy('127.0.0.1', server.port);
    const port = await proxy.start();
    const source = new EventSource(presignedUrl(writer, `http://127.0.0.1:${port}/tasks/events`, new Date(Date.now() + 300_000)));
    const received: string[] = [];
    source.onmessage = (event) => received.push(JSON.parse(event.data).uuid);
    try {
      await new Promise<void>((resolve) => (source.onopen = () => resolve()));
      const first = (await server.request('POST', '/tasks/', { body: { description: 'before the drop' } })).body.task_id;
      await eventually(() => received.includes(first), 'the first event');
      await proxy.cut();
      const second = (await server.request('POST', '/tasks/', { body: { description: 'while away' } })).body.task_id;
      await proxy.restore();
      await eventually(() => received.includes(second), 'the event missed while away, after the reconnect');
      expect(received).toEqual([first, second]);
    } finally {
      source.close();
      await proxy.stop();
    }
  });

  it('refuses a presigned URL that expired, expires too far ahead, was altered, or names another route', async () => {
    const get = async (url: string) => {
      const response = await fetch(url, { headers: { accept: 'text/event-stream, application/json' } });
      const body = response.headers.get('content-type')?.startsWith('application/json') ? await response.json() : await response.body?.cancel();
      return { status: response.status, body: body as any };
    };
    const expired = await get(presignedUrl(writer, `${server.baseUrl}/tasks/events`, new Date(Date.now() - 1000)));
    expect(expired).toMatchObject({ status: 401, body: { error: 'PresignedUrlExpired' } });
    const tooFar = await get(presignedUrl(writer, `${server.baseUrl}/tasks/events`, new Date(Date.now() + 7_200_000)));
    expect(tooFar).toMatchObject({ status: 401, body: { error: 'PresignedUrlTooLong' } });
    const altered = presignedUrl(writer, `${server.baseUrl}/tasks/events?status=failed`, new Date(Date.now() + 60_000)).replace('status=failed', 'status=pending');
    expect(await get(altered)).toMatchObject({ status: 401, body: { error: 'SignatureDoesNotMatch' } });
    const listing = await get(presignedUrl(writer, `${server.baseUrl}/tasks/`, new Date(Date.now() + 60_000)));
    expect(listing).toMatchObject({ status: 401, body: { error: 'PresignNotAllowed' } });
  });

  it('opens a WebSocket with a presigned URL signed for GRAPHQL-WS, and refuses one presigned for GET', async () => {
    const open = (url: string) =>
      new Promise<{ code?: number; reason?: string; acked: boolean }>((resolve) => {
        const socket = new WebSocket(url, 'graphql-transport-ws');
        socket.on('open', () => socket.send(JSON.stringify({ type: 'connection_init' })));
        socket.on('message', (data) => {
          if (JSON.parse(String(data)).type === 'connection_ack') {
            socket.close(1000);
            resolve({ acked: true });
          }
        });
        socket.on('error', () => undefined);
        socket.on('close', (code, reason) => resolve({ code, reason: String(reason), acked: false }));
      });
    const expiresAt = new Date(Date.now() + 60_000);
    expect(await open(presignedUrl(writer, server.wsUrl, expiresAt, 'GRAPHQL-WS'))).toMatchObject({ acked: true });
    expect(await open(presignedUrl(writer, server.wsUrl, expiresAt, 'GET'))).toMatchObject({ code: 4403, reason: 'SignatureDoesNotMatch' });
  });
});
