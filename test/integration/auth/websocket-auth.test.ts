import WebSocket from 'ws';
import { createKey, revokeKey } from '../../../src/auth/keys-commands';
import { databaseKinds } from '../../helpers/databases';
import { startServer, testKeys, type TestServer } from '../../helpers/server';
import { signedConnectionParams } from '../../helpers/signing';
import { createTask } from '../../helpers/tasks';
import { Collected, eventually, wsClient } from '../../helpers/ws-client';
import { defaultPatienceMs } from '../../helpers/eventually';

/**
 * The WebSocket door's authentication: connection_init carries `{authorization, date}` signed
 * like `GET /graphql`; anything else is closed with 4403 before a subscription can start. Real
 * graphql-ws clients for what a UI does, raw `ws` for what no client library would send.
 */
const updates = 'subscription { taskUpdated { id log task { id } } }';
const forbidden = 4403;

interface Closed {
  code: number;
  reason: string;
  /** Messages the server sent before closing. */
  messages: any[];
}

/** A raw socket that sends `frames` once open and resolves when the server closes it. */
function rawSession(url: string, frames: (string | Buffer)[]): Promise<Closed> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url, 'graphql-transport-ws');
    const messages: any[] = [];
    const timer = setTimeout(() => {
      socket.terminate();
      reject(new Error(`the server never closed the socket; it sent ${JSON.stringify(messages)}`));
    }, defaultPatienceMs);
    socket.on('open', () => frames.forEach((frame) => socket.send(frame)));
    socket.on('message', (data) => messages.push(JSON.parse(String(data))));
    socket.on('error', () => undefined);
    socket.on('close', (code, reason) => {
      clearTimeout(timer);
      resolve({ code, reason: String(reason), messages });
    });
  });
}

/** Opens a raw socket, sends connection_init with `params`: true on connection_ack, false on a close. */
function acknowledges(url: string, params: unknown): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = new WebSocket(url, 'graphql-transport-ws');
    socket.on('open', () => socket.send(JSON.stringify({ type: 'connection_init', payload: params })));
    socket.on('message', (data) => {
      if (JSON.parse(String(data)).type !== 'connection_ack') return;
      socket.close(1000);
      resolve(true);
    });
    socket.on('error', () => undefined);
    socket.on('close', () => resolve(false));
  });
}

const init = (payload?: unknown) => JSON.stringify(payload === undefined ? { type: 'connection_init' } : { type: 'connection_init', payload });

describe.each(databaseKinds())('WebSocket authentication on %s', (kind) => {
  let server: TestServer;
  const clients: ReturnType<typeof wsClient>[] = [];
  const client = (options: Parameters<typeof wsClient>[1] = {}) => {
    const c = wsClient(server.wsUrl, options);
    clients.push(c);
    return c;
  };
  /** Closes of a client, as graphql-ws reports them. */
  const closesOf = () => {
    const closes: { code: number; reason: string }[] = [];
    return { closes, onClosed: (event: { code: number; reason: string }) => closes.push(event) };
  };

  beforeAll(async () => {
    server = await startServer(kind, { TASKGATE_KEYS_REFRESH: '1' });
  });
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => c.dispose()));
    await eventually(() => server.app.events.stats().subscriptions === 0, 'closed subscriptions to be freed');
  });
  afterAll(() => server.stop());

  const taskNamed = async (description: string): Promise<string> => (await createTask(server, { description })).id;

  it('closes a connection_init without connection params with 4403', async () => {
    const closed = await rawSession(server.wsUrl, [init()]);
    expect(closed.code).toBe(forbidden);
    expect(closed.messages).toEqual([]);
  });

  it('closes a graphql-ws client that sends no connection params with 4403', async () => {
    const { closes, onClosed } = closesOf();
    const c = client({ connectionParams: {}, onClosed });
    const sub = new Collected(c, updates);
    await eventually(() => closes.length > 0, 'the socket to close');
    expect(closes[0].code).toBe(forbidden);
    expect(sub.events).toEqual([]);
  });

  it('closes a connection whose signature does not match with 4403', async () => {
    const { closes, onClosed } = closesOf();
    const params = signedConnectionParams({ user: testKeys.writer.user, secret: 'not-the-secret' }, server.host);
    const sub = new Collected(client({ connectionParams: params, onClosed }), updates);
    await eventually(() => closes.length > 0, 'the socket to close');
    expect(closes[0].code).toBe(forbidden);
    expect(sub.events).toEqual([]);
  });

  it('closes a connection signed for another host or by an unknown user with 4403', async () => {
    for (const params of [
      signedConnectionParams(testKeys.writer, 'evil.example:80'),
      signedConnectionParams({ user: 'nobody-here', secret: testKeys.writer.secret }, server.host),
    ]) {
      expect((await rawSession(server.wsUrl, [init(params)])).code).toBe(forbidden);
    }
  });

  it('closes a connection whose date is outside the 15-minute window with 4403, either way', async () => {
    for (const minutes of [-15.1, 15.1, -600]) {
      const { closes, onClosed } = closesOf();
      const params = signedConnectionParams(testKeys.writer, server.host, new Date(Date.now() + minutes * 60_000));
      new Collected(client({ connectionParams: params, onClosed }), updates);
      await eventually(() => closes.length > 0, 'the socket to close');
      expect(closes[0].code).toBe(forbidden);
    }
  });

  it('closes malformed connection params with 4403 (4400 when not even an object), never an internal error', async () => {
    const now = new Date().toUTCString();
    const good = server.wsConnectionParams();
    // The protocol wants an object (or nothing) as payload: anything else is a bad message, 4400.
    for (const payload of ['test-writer:abc', 42, true, [good.authorization, good.date]]) {
      const closed = await rawSession(server.wsUrl, [init(payload)]);
      expect({ payload, code: closed.code }).toEqual({ payload, code: 4400 });
    }
    const payloads: unknown[] = [
      null,
      { authorization: good.authorization },
      { date: good.date },
      { authorization: 42, date: now },
      { authorization: [good.authorization], date: good.date },
      { authorization: good.authorization, date: 12345 },
      { authorization: good.authorization, date: 'yesterday' },
      { authorization: good.authorization, date: 'x'.repeat(10_000) },
      { authorization: 'no-colon', date: now },
      { authorization: `${'u'.repeat(5000)}:AAAA`, date: now },
      { authorization: 'test-writer:\u0000\ud800', date: now },
      { authorization: { toString: 'x' }, date: now },
    ];
    for (const payload of payloads) {
      const closed = await rawSession(server.wsUrl, [init(payload)]);
      expect({ payload, code: closed.code }).toEqual({ payload, code: forbidden });
    }
  });

  it('serves a subscription on a properly signed connection', async () => {
    const sub = new Collected(client(), updates);
    await eventually(() => server.app.events.stats().subscriptions >= 1, 'the subscription to start');
    const id = await taskNamed('seen over a signed socket');
    const [event] = await sub.waitFor(1);
    expect(event.task.id).toBe(id);
  });

  it('lets a read key subscribe', async () => {
    const sub = new Collected(client({ connectionParams: server.wsConnectionParams('reader') }), updates);
    await eventually(() => server.app.events.stats().subscriptions >= 1, 'the subscription to start');
    const id = await taskNamed('seen by a reader');
    const [event] = await sub.waitFor(1);
    expect(event.task.id).toBe(id);
  });

  it('closes an open socket with 4403 once its key is revoked, while other sockets stay open', async () => {
    const key = await createKey(server.app.dataSource, { user: 'revoked-while-connected', role: 'read' });
    // The server re-reads the keys table every second (TASKGATE_KEYS_REFRESH=1). Each try waits
    // for the server's own answer to connection_init: an ack (accepted) or a close (not yet).
    await eventually(() => acknowledges(server.wsUrl, signedConnectionParams(key, server.host)), 'the new key to be accepted');

    const revoked = closesOf();
    const doomed = new Collected(client({ connectionParams: signedConnectionParams(key, server.host), onClosed: revoked.onClosed }), updates);
    const survivor = new Collected(client(), updates);
    await eventually(() => server.app.events.stats().subscriptions >= 2, 'both subscriptions to start');
    const before = await taskNamed('before the revocation');
    await doomed.waitFor(1);
    expect(doomed.events[0].task.id).toBe(before);

    expect(await revokeKey(server.app.dataSource, key.id)).toBe(true);
    // Bounded: a few refresh periods, not a speed measurement.
    await eventually(() => revoked.closes.length > 0, 'the revoked key’s socket to close');
    expect(revoked.closes[0].code).toBe(forbidden);

    const after = await taskNamed('after the revocation');
    await survivor.until(() => survivor.events.some((e) => e.task.id === after), defaultPatienceMs, 'the survivor to see the later task');
    expect(doomed.events.map((e) => e.task.id)).toEqual([before]);
    // And the revoked key cannot come back.
    expect((await rawSession(server.wsUrl, [init(signedConnectionParams(key, server.host))])).code).toBe(forbidden);
  });
});
