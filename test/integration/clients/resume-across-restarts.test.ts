import { signedFetch } from '../../../src/client';
import { databaseKinds, freshDatabase, type TestDatabase } from '../../helpers/databases';
import { eventually } from '../../helpers/ws-client';
import { buildOnce, CompiledServer, feedAccount, freePort, untilServed, writerKey } from './compiled-server';
import { type FeedClient, feedClients } from './feed-clients';

/**
 * Each client library, set up as the README says, follows the feed while taskgate is stopped
 * (SIGTERM) and killed (SIGKILL) mid-stream and started again: the application sees every
 * stored event once, in order.
 */
describe.each(databaseKinds())('live feeds through real client libraries across restarts on %s', (kind) => {
  let database: TestDatabase;
  let server: CompiledServer;
  const write = signedFetch(writerKey);

  beforeAll(async () => {
    buildOnce();
    database = await freshDatabase(kind);
  });
  afterAll(() => database.drop());
  afterEach(() => server?.stop('SIGKILL'));

  async function gql(query: string, variables: Record<string, unknown>): Promise<Record<string, any>> {
    const response = await write(server.graphqlUrl, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query, variables }) });
    const answer = (await response.json()) as { data?: Record<string, any>; errors?: unknown[] };
    if (!answer.data || answer.errors) throw new Error(`write refused: ${JSON.stringify(answer)}`);
    return answer.data;
  }

  it.each(Object.keys(feedClients))('%s misses nothing and repeats nothing when the server restarts and is killed mid-stream', async (library) => {
    server = new CompiledServer(database.url, await freePort());
    await server.start();
    const after = (await gql('{ lastEventId }', {})).lastEventId as string;
    const client: FeedClient = feedClients[library]({ graphqlUrl: server.graphqlUrl, wsUrl: server.wsUrl, baseUrl: server.baseUrl, credentials: writerKey, after });
    try {
      // Writes keep coming while the server goes down and up; a write the server was not there
      // for is sent again until it is served. Creations, because every feed carries them (the
      // SSE feed carries status changes only); all with the same body.
      let writing = true;
      let written = 0;
      const writer = (async () => {
        while (writing) {
          await untilServed(() => gql('mutation { createTask(input: {description: "followed across restarts", type: "resume"}) { id } }', {}));
          written++;
        }
      })();
      await eventually(() => client.received.length >= 10, `${library} to receive 10 events`);
      await server.stop('SIGTERM');
      await server.start();
      await eventually(() => client.received.length >= 25, `${library} to receive 25 events after a restart`);
      await server.stop('SIGKILL');
      await server.start();
      await eventually(() => client.received.length >= 40, `${library} to receive 40 events after the server was killed`);
      writing = false;
      await writer;

      const stored = await server.storedEventIds();
      await eventually(() => client.received.at(-1) === stored.at(-1), `${library} to catch up with the last stored event`);
      expect(client.failure).toBeUndefined();
      const account = feedAccount(client.received, stored, after);
      expect({ missing: account.missing, duplicates: account.duplicates, inOrder: account.inOrder }).toEqual({ missing: [], duplicates: 0, inOrder: true });
      expect(client.received.length).toBe(stored.length - stored.filter((id) => BigInt(id) <= BigInt(after)).length);
    } finally {
      await client.close();
    }
  });
});
