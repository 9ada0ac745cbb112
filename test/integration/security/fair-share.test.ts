import { randomBytes } from 'node:crypto';
import type { Client } from 'graphql-ws';
import { formatDbTime } from '../../../src/db/database';
import { databaseKinds } from '../../helpers/databases';
import { startServer, type TestServer, testKeys } from '../../helpers/server';
import { signedConnectionParams } from '../../helpers/signing';
import { Collected, eventually, wsClient } from '../../helpers/ws-client';

/**
 * Issue 13, "fair share" and finding 10: one key cannot starve the others. Each key has a
 * ceiling on its open streams (streamed listings, SSE, WebSocket connections and subscriptions)
 * and on its costly GraphQL work; one more is refused (429 + Retry-After, RATE_LIMITED, close
 * 4429) while another key is served as usual. With Redis the ceilings hold across instances.
 */
const limits = {
  TASKGATE_FAIR_LISTINGS: '1',
  TASKGATE_FAIR_SSE_STREAMS: '2',
  TASKGATE_FAIR_WS_CONNECTIONS: '2',
  TASKGATE_FAIR_WS_SUBSCRIPTIONS: '2',
  TASKGATE_FAIR_HEAVY_CONCURRENT: '1',
  // The costly query below costs 1501: costly from 1000 here, one a second per key.
  TASKGATE_FAIR_HEAVY_COST: '1000',
  TASKGATE_FAIR_COST_PER_SECOND: '2000',
  // The time share (a unit test covers it) would refuse costly queries after any slow one, whoever sent it.
  TASKGATE_FAIR_HEAVY_SHARE: '100',
};
const heavyQuery = 'query Heavy { tasks(first: 500) { edges { node { id description log } } } }';
const logBytes = 8 * 1024;
const bigTasks = 4000;

/** 4,000 tasks with 8 KB logs (32 MB as a listing): more than the sockets buffer, so an unread listing stays open. */
async function seedBigLogs(server: TestServer): Promise<void> {
  const at = formatDbTime(new Date(Date.UTC(2026, 0, 1)));
  const log = 'x'.repeat(logBytes);
  for (let from = 0; from < bigTasks; from += 500) {
    const rows: unknown[] = [];
    for (let i = from; i < from + 500; i++) {
      rows.push(`${i.toString(16).padStart(8, '0')}-0000-4000-8000-000000000000`, `big task ${i}`, 'PENDING', 'pending', 'big', null, at, 'seeder', at, log, 1);
    }
    await server.app.dataSource.query(
      `INSERT INTO tasks (uuid, description, status, stage, type, object_uuid, created_at, created_by, last_update, log, version) VALUES ${new Array(500).fill('(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)').join(', ')}`,
      rows,
    );
  }
}

/** A graphql-ws client that reports how its socket closed. */
function connect(server: TestServer, user: 'writer' | 'reader'): { client: Client; closed: Promise<{ code: number; reason: string }>; opened: Promise<void> } {
  let closed!: (event: { code: number; reason: string }) => void;
  let opened!: () => void;
  const closedPromise = new Promise<{ code: number; reason: string }>((resolve) => (closed = resolve));
  const openedPromise = new Promise<void>((resolve) => (opened = resolve));
  const client = wsClient(server.wsUrl, { connectionParams: signedConnectionParams(testKeys[user], server.host), onClosed: closed });
  client.on('connected', () => opened());
  return { client, closed: closedPromise, opened: openedPromise };
}

describe.each(databaseKinds())('fair share between keys on %s', (kind) => {
  let server: TestServer;

  beforeAll(async () => {
    server = await startServer(kind, limits);
    await seedBigLogs(server);
  }, 120_000);
  afterAll(async () => {
    await server?.stop();
  });

  it('refuses a second streamed GET /tasks/ of the same key with 429 and Retry-After while the first is unread, serves another key, and serves the key again once it disconnects', async () => {
    const abort = new AbortController();
    const held = await server.stream('GET', '/tasks/', { signal: abort.signal });
    expect(held.status).toBe(200);
    const refused = await server.request('GET', '/tasks/');
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(refused.body.error).toMatch(/streamed task listings.*close one/);
    // A one-page listing is not a stream; another key streams as usual.
    expect((await server.request('GET', '/tasks/?limit=1')).status).toBe(200);
    const other = await server.request('GET', '/tasks/', { user: 'reader' });
    expect(other.status).toBe(200);
    expect(other.body.tasks).toHaveLength(bigTasks);
    abort.abort();
    await eventually(async () => (await server.request('GET', '/tasks/status/failed')).status === 200, 'the listing slot to be handed back');
  });

  it('refuses a third open event stream of the same key with 429 and serves another key', async () => {
    const aborts = [new AbortController(), new AbortController()];
    for (const abort of aborts) {
      const open = await server.stream('GET', '/tasks/events', { headers: { accept: 'text/event-stream' }, signal: abort.signal });
      expect(open.status).toBe(200);
    }
    const refused = await server.request('GET', '/tasks/events', { headers: { accept: 'text/event-stream' } });
    expect(refused.status).toBe(429);
    expect(refused.headers.get('retry-after')).toBe('1');
    expect(refused.body.error).toMatch(/event streams/);
    const otherAbort = new AbortController();
    const other = await server.stream('GET', '/tasks/events', { user: 'reader', headers: { accept: 'text/event-stream' }, signal: otherAbort.signal });
    expect(other.status).toBe(200);
    for (const abort of [...aborts, otherAbort]) abort.abort();
    await eventually(() => server.app.events.stats().subscriptions === 0, 'the streams to close');
  });

  it('closes a third WebSocket of the same key with 4429 RATE_LIMITED and lets another key connect', async () => {
    const first = connect(server, 'writer');
    const second = connect(server, 'writer');
    await Promise.all([first.opened, second.opened]);
    const third = connect(server, 'writer');
    const closed = await third.closed;
    expect(closed.code).toBe(4429);
    expect(closed.reason).toMatch(/^RATE_LIMITED: /);
    const other = connect(server, 'reader');
    await other.opened;
    await first.client.dispose();
    // The slot is free again.
    const again = connect(server, 'writer');
    await again.opened;
    await Promise.all([second.client.dispose(), other.client.dispose(), again.client.dispose(), third.client.dispose()]);
  });

  it('refuses a key its third subscription across its connections with RATE_LIMITED and a retryAfter, and takes it once one completes', async () => {
    const a = connect(server, 'writer');
    const b = connect(server, 'writer');
    await Promise.all([a.opened, b.opened]);
    const query = 'subscription Feed { taskUpdated { id } }';
    const subs = [new Collected(a.client, query), new Collected(b.client, query)];
    await eventually(() => server.app.events.stats().subscriptions === 2, 'two subscriptions');
    const third = new Collected(a.client, query);
    await third.until(() => third.errors.length > 0, 20_000, 'an error');
    const error = (third.errors[0] as { extensions?: Record<string, unknown> }[])[0] ?? third.errors[0];
    expect(JSON.stringify(error)).toContain('RATE_LIMITED');
    expect(JSON.stringify(error)).toContain('"retryAfter":1');
    subs[0].stop();
    await eventually(() => server.app.events.stats().subscriptions === 1, 'the first subscription to complete');
    const fourth = new Collected(a.client, query);
    await eventually(() => server.app.events.stats().subscriptions === 2, 'the key to subscribe again');
    expect(fourth.errors).toEqual([]);
    for (const sub of [subs[1], fourth]) sub.stop();
    await Promise.all([a.client.dispose(), b.client.dispose()]);
  });

  it('answers a costly query refused for its key with 429, Retry-After and RATE_LIMITED, and serves cheap queries of the same key meanwhile', async () => {
    let refused: Awaited<ReturnType<TestServer['gql']>> | undefined;
    // One costly query a second for this key: a burst of three cannot all fit, whichever seconds they fall in.
    for (let burst = 0; burst < 10 && !refused; burst++) {
      const answers = await Promise.all(Array.from({ length: 3 }, () => server.gql(heavyQuery)));
      for (const answer of answers) if (answer.status !== 200) expect(answer.status).toBe(429);
      refused = answers.find((answer) => answer.status === 429);
    }
    // Refused for its budget (one a second), or, where the database runs them side by side (MariaDB), for running one already.
    const extensions = refused?.errors?.[0].extensions;
    expect(extensions).toMatchObject({ code: 'RATE_LIMITED', retryAfter: 1 });
    expect([{ limit: 'cost', max: 2000 }, { limit: 'heavy', max: 1 }]).toContainEqual({ limit: extensions?.limit, max: extensions?.max });
    expect(refused?.errors?.[0].message).toMatch(/budget of 2000 cost points per second|already has 1 open costly operations/);
    // Another key has its own budget.
    const other = await server.gql(heavyQuery, undefined, { user: 'reader' });
    expect(other.status).toBe(200);
    const cheap = await server.gql('query Cheap { task(id: "00000000-0000-4000-8000-000000000000") { id } }');
    expect(cheap.status).toBe(200);
    expect(cheap.data?.task?.id).toBe('00000000-0000-4000-8000-000000000000');
  });

  it('refuses costly queries over WebSocket beyond the key budget with RATE_LIMITED, and serves them again once it refills', async () => {
    const { client, opened } = connect(server, 'writer');
    await opened;
    const run = () =>
      new Promise<{ data?: unknown; errors?: readonly { message: string; extensions?: Record<string, unknown> }[] }>((resolve) => {
        let result: { data?: unknown; errors?: readonly { message: string; extensions?: Record<string, unknown> }[] } = {};
        client.subscribe(
          { query: heavyQuery },
          {
            next: (value) => (result = value as typeof result),
            error: (errors) => resolve({ errors: errors as typeof result.errors }),
            complete: () => resolve(result),
          },
        );
      });
    let refused: { message: string; extensions?: Record<string, unknown> } | undefined;
    for (let burst = 0; burst < 10 && !refused; burst++) {
      const results = await Promise.all([run(), run(), run()]);
      refused = results.flatMap((r) => r.errors ?? []).find((e) => e.extensions?.code === 'RATE_LIMITED');
    }
    expect(refused?.extensions).toMatchObject({ code: 'RATE_LIMITED', retryAfter: 1 });
    expect(refused?.extensions).not.toHaveProperty('http');
    // Its slots were handed back when each query completed: once the budget refills, one runs.
    await eventually(async () => (await run()).data !== undefined, 'a costly query to be served again');
    await client.dispose();
  });

  it('sends Retry-After on a costly query refused for its key', async () => {
    const body = JSON.stringify({ query: heavyQuery });
    let retryAfter: string | null = null;
    for (let burst = 0; burst < 10 && retryAfter === null; burst++) {
      const answers = await Promise.all(
        Array.from({ length: 3 }, () =>
          fetch(`${server.baseUrl}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', ...server.signedHeaders('POST', '/graphql', body, { contentType: 'application/json' }) }, body }),
        ),
      );
      for (const answer of answers) {
        await answer.arrayBuffer();
        if (answer.status === 429) retryAfter = answer.headers.get('retry-after');
      }
    }
    expect(retryAfter).toBe('1');
  });
});

const redisUrl = process.env.TEST_REDIS_URL;
const withRedis = redisUrl ? describe.each(databaseKinds()) : describe.skip.each(databaseKinds());

withRedis('fair share across two instances through Redis on %s', (kind) => {
  let first: TestServer;
  let second: TestServer;

  beforeAll(async () => {
    // A prefix of our own, so other suites sharing the Redis server count nothing of ours.
    const shared = { ...limits, REDIS_URL: redisUrl as string, TASKGATE_FAIR_REDIS_PREFIX: `taskgate-test:${randomBytes(4).toString('hex')}:`, TASKGATE_REDIS_CHANNEL: `taskgate-test:${randomBytes(4).toString('hex')}` };
    first = await startServer(kind, shared);
    second = await startServer(kind, { ...shared, DATABASE_URL: first.databaseUrl, TASKGATE_MIGRATE: 'off' });
  }, 120_000);
  afterAll(async () => {
    await second?.stop();
    await first?.stop();
  });

  it('counts a key event streams on both instances together: the third is refused on either, another key is served, and a closed one frees a slot everywhere', async () => {
    const a = new AbortController();
    const b = new AbortController();
    expect((await first.stream('GET', '/tasks/events', { headers: { accept: 'text/event-stream' }, signal: a.signal })).status).toBe(200);
    expect((await second.stream('GET', '/tasks/events', { headers: { accept: 'text/event-stream' }, signal: b.signal })).status).toBe(200);
    for (const server of [first, second]) {
      const refused = await server.request('GET', '/tasks/events', { headers: { accept: 'text/event-stream' } });
      expect(refused.status).toBe(429);
      expect(refused.headers.get('retry-after')).toBe('1');
    }
    const other = new AbortController();
    expect((await second.stream('GET', '/tasks/events', { user: 'reader', headers: { accept: 'text/event-stream' }, signal: other.signal })).status).toBe(200);
    a.abort();
    const again = new AbortController();
    await eventually(async () => {
      const response = await second.stream('GET', '/tasks/events', { headers: { accept: 'text/event-stream' }, signal: again.signal });
      if (response.status !== 200) await response.arrayBuffer();
      return response.status === 200;
    }, 'the slot closed on the first instance to be free on the second');
    for (const abort of [b, other, again]) abort.abort();
  });

  it('counts a key WebSocket connections on both instances together', async () => {
    const one = wsClient(first.wsUrl, { connectionParams: signedConnectionParams(testKeys.writer, first.host) });
    const two = wsClient(second.wsUrl, { connectionParams: signedConnectionParams(testKeys.writer, second.host) });
    await Promise.all([one, two].map((client) => new Promise<void>((resolve) => client.on('connected', () => resolve()))));
    const closed = await new Promise<{ code: number; reason: string }>((resolve) => {
      const three = wsClient(first.wsUrl, { connectionParams: signedConnectionParams(testKeys.writer, first.host), onClosed: resolve });
      void three;
    });
    expect(closed.code).toBe(4429);
    await Promise.all([one.dispose(), two.dispose()]);
  });
});
