import { randomBytes } from 'node:crypto';
import { signedFetch } from '../../../src/client';
import { databaseKinds, freshDatabase, type TestDatabase } from '../../helpers/databases';
import { eventually } from '../../helpers/ws-client';
import { buildOnce, CompiledServer, feedAccount, freePort, untilServed, writerKey } from './compiled-server';
import { type FeedClient, feedClients } from './feed-clients';

const redisUrl = process.env.TEST_REDIS_URL;

/**
 * Two taskgate instances over one database, sharing events through Redis. The client follows
 * instance B while writes go to A and B alike, and B is killed mid-stream and started again:
 * the application sees every stored event once, in order.
 */
(redisUrl ? describe.each(databaseKinds()) : describe.skip.each(databaseKinds()))('live feeds through real client libraries across two instances on %s', (kind) => {
  let database: TestDatabase;
  let a: CompiledServer;
  let b: CompiledServer;
  const write = signedFetch(writerKey);

  beforeAll(async () => {
    buildOnce();
    database = await freshDatabase(kind);
    const env = { REDIS_URL: redisUrl!, TASKGATE_REDIS_CHANNEL: `taskgate-test:${randomBytes(6).toString('hex')}` };
    a = new CompiledServer(database.url, await freePort(), env);
    await a.start();
    b = new CompiledServer(database.url, await freePort(), env);
    await b.start();
  });
  afterAll(async () => {
    await b?.stop('SIGKILL');
    await a?.stop('SIGKILL');
    await database?.drop();
  });

  async function create(on: CompiledServer): Promise<void> {
    const response = await write(on.graphqlUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: 'mutation { createTask(input: {description: "on two instances", type: "fanout"}) { id } }' }),
    });
    const answer = (await response.json()) as { data?: unknown };
    if (!answer.data) throw new Error(`write refused: ${JSON.stringify(answer)}`);
  }

  it.each(Object.keys(feedClients))('%s on instance B misses nothing and repeats nothing while writes go to both and B is killed', async (library) => {
    const after = (await b.storedEventIds()).at(-1) ?? '0';
    const client: FeedClient = feedClients[library]({ graphqlUrl: b.graphqlUrl, wsUrl: b.wsUrl, baseUrl: b.baseUrl, credentials: writerKey, after });
    try {
      let writing = true;
      let n = 0;
      const writer = (async () => {
        while (writing) {
          const on = n++ % 3 === 0 ? b : a;
          await untilServed(() => create(on));
        }
      })();
      await eventually(() => client.received.length >= 10, `${library} to receive 10 events`);
      await b.stop('SIGKILL');
      await b.start();
      await eventually(() => client.received.length >= 25, `${library} to receive 25 events after B was killed`);
      writing = false;
      await writer;
      const stored = await a.storedEventIds();
      await eventually(() => client.received.at(-1) === stored.at(-1), `${library} to catch up with the last stored event`);
      expect(client.failure).toBeUndefined();
      const account = feedAccount(client.received, stored, after);
      expect(account).toEqual({ missing: [], duplicates: 0, inOrder: true });
    } finally {
      await client.close();
    }
  });
});
