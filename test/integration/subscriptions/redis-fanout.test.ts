import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { databaseKinds } from '../../helpers/databases';
import { describeNeeding } from '../../helpers/environment';
import { startServer, type TestServer } from '../../helpers/server';
import { createTask, updateTask } from '../../helpers/tasks';
import { TcpProxy } from '../../helpers/tcp-proxy';
import { Collected, eventually, wsClient } from '../../helpers/ws-client';

const redisUrl = process.env.TEST_REDIS_URL;
const feedQuery = `subscription($id: ID) { taskUpdated(id: $id) { id version log } }`;

/** Two gateways over one database; they share events only through Redis (each has its own feed). */
describeNeeding('redis', 'task feeds across instances').each(databaseKinds())('task feeds across instances through Redis on %s', (kind) => {
  const redis = new URL(redisUrl ?? 'redis://127.0.0.1:6379');
  let channel: string;
  const started: TestServer[] = [];
  const clients: ReturnType<typeof wsClient>[] = [];
  let proxy: TcpProxy;

  const start = async (env: Record<string, string>) => {
    const server = await startServer(kind, { TASKGATE_REDIS_CHANNEL: channel, ...env });
    started.push(server);
    return server;
  };
  const viaProxy = () => `redis://${proxy.port ? `127.0.0.1:${proxy.port}` : ''}`;

  beforeEach(async () => {
    channel = `taskgate-test:${randomBytes(6).toString('hex')}`;
    proxy = new TcpProxy(redis.hostname, Number(redis.port || 6379));
    await proxy.start();
  });
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => c.dispose()));
    // Second instances first: the first one owns (and drops) the database.
    for (const server of started.splice(0).reverse()) await server.stop();
    await proxy.stop();
  });

  const create = async (server: TestServer, description: string): Promise<string> => (await createTask(server, { description, status: 'IN_PROGRESS' })).id;
  const log = (server: TestServer, id: string, text: string) => updateTask(server, id, { log: text });

  it('delivers a change made on instance A to a subscriber on instance B', async () => {
    const a = await start({ REDIS_URL: redisUrl! });
    const b = await start({ REDIS_URL: redisUrl!, DATABASE_URL: a.databaseUrl });
    expect(a.app.events).not.toBe(b.app.events);
    await eventually(() => a.app.eventLink.status() === 'up' && b.app.eventLink.status() === 'up', 'both links up');
    const c = wsClient(b.wsUrl);
    clients.push(c);
    const feed = new Collected(c, feedQuery);
    await eventually(() => b.app.events.stats().subscriptions === 1, 'the subscription on B');
    const id = await create(a, 'made on A');
    await log(a, id, 'still on A');
    const events = await feed.waitFor(2);
    expect(events.map((e) => [e.version, e.log])).toEqual([
      [1, null],
      [2, 'still on A'],
    ]);
  });

  it('loses nothing when the Redis link drops mid-stream and comes back', async () => {
    const a = await start({ REDIS_URL: redisUrl! });
    const b = await start({ REDIS_URL: viaProxy(), DATABASE_URL: a.databaseUrl });
    await eventually(() => a.app.eventLink.status() === 'up' && b.app.eventLink.status() === 'up', 'both links up');
    const id = await create(a, 'through an outage');
    // The creation reaches B on its own time; subscribe after it so the feed starts with the updates.
    await eventually(() => b.app.events.stats().lastEventId === a.app.events.stats().lastEventId, 'B to hear of the creation');
    const c = wsClient(b.wsUrl);
    clients.push(c);
    const feed = new Collected(c, feedQuery, { id });
    await eventually(() => b.app.events.stats().subscriptions === 1, 'the subscription on B');

    for (let i = 1; i <= 10; i++) await log(a, id, `before ${i}`);
    await proxy.cut();
    await eventually(() => b.app.eventLink.status() === 'down', "B's link to report down");
    for (let i = 1; i <= 20; i++) await log(a, id, `during ${i}`);
    await proxy.restore();
    await eventually(() => b.app.eventLink.status() === 'up', "B's link to come back by itself");
    for (let i = 1; i <= 10; i++) await log(a, id, `after ${i}`);

    const events = await feed.waitFor(40, 30_000);
    expect(events.map((e) => e.version)).toEqual(Array.from({ length: 40 }, (_, i) => i + 2));
    expect(events.at(-1).log).toBe('after 10');
  });

  it('serves HTTP and same-instance subscriptions while Redis is down at start, and links up when it appears', async () => {
    await proxy.cut();
    const a = await start({ REDIS_URL: viaProxy() });
    expect(a.app.eventLink.status()).toBe('down');
    const c = wsClient(a.wsUrl);
    clients.push(c);
    const feed = new Collected(c, feedQuery);
    await eventually(() => a.app.events.stats().subscriptions === 1, 'the subscription');
    const id = await create(a, 'no Redis yet');
    const [created] = await feed.waitFor(1);
    expect(created.version).toBe(1);
    await proxy.restore();
    await eventually(() => a.app.eventLink.status() === 'up', 'the link to come up by itself');
    await log(a, id, 'with Redis');
    await feed.waitFor(2);
    expect(feed.events.map((e) => e.version)).toEqual([1, 2]);
  });

  it('sends a big log between instances as a reference: Redis carries a small message, a subscriber selecting log still reads it whole', async () => {
    const a = await start({ REDIS_URL: redisUrl! });
    const b = await start({ REDIS_URL: redisUrl!, DATABASE_URL: a.databaseUrl });
    await eventually(() => a.app.eventLink.status() === 'up' && b.app.eventLink.status() === 'up', 'both links up');
    const listener = new Redis(redisUrl!);
    const sizes: number[] = [];
    try {
      await listener.subscribe(channel);
      listener.on('message', (_channel: string, message: string) => sizes.push(Buffer.byteLength(message)));
      const c = wsClient(b.wsUrl);
      clients.push(c);
      const withLog = new Collected(c, feedQuery);
      const withoutLog = new Collected(c, `subscription { taskUpdated { id version stage } }`);
      await eventually(() => b.app.events.stats().subscriptions === 2, 'the subscriptions on B');
      const id = await create(a, 'big log on A');
      const stdout = 'z'.repeat(3 * 1024 * 1024);
      await log(a, id, stdout);
      const events = await withLog.waitFor(2);
      expect(events[1].log).toBe(stdout);
      expect((await withoutLog.waitFor(2))[1]).toMatchObject({ version: 2, stage: 'in progress' });
      await eventually(() => sizes.length >= 2, 'both messages on the Redis channel');
      expect(Math.max(...sizes)).toBeLessThan(2048);
    } finally {
      listener.disconnect();
    }
  });
});

describe('the event link without Redis', () => {
  it('reports off when REDIS_URL is unset', async () => {
    const server = await startServer('sqlite');
    try {
      expect(server.app.eventLink.status()).toBe('off');
    } finally {
      await server.stop();
    }
  });
});
