import { ApolloClient, gql, InMemoryCache } from '@apollo/client';
import { Client as UrqlClient, fetchExchange } from '@urql/core';
import { GraphQLClient } from 'graphql-request';
import type { Socket } from 'node:net';
import { connectionParams, type Credentials, signedFetch } from '../../../src/client';
import { taskgateLink } from '../../../src/client/apollo';
import { createTaskgateClient } from '../../../src/client/graphql-ws';
import { databaseKinds } from '../../helpers/databases';
import { startServer, type TestServer, testKeys } from '../../helpers/server';
import { eventually } from '../../helpers/ws-client';

const writer: Credentials = { key: testKeys.writer.user, secret: testKeys.writer.secret };
type Created = { createTask: { id: string; created: { by: string } } };
const create = 'mutation Create($d: String!) { createTask(input: {description: $d, type: "client_kit"}) { id description created { by } } }';

describe.each(databaseKinds())('real GraphQL client libraries signing with the client kit on %s', (kind) => {
  let server: TestServer;
  /** Server-side ends of WebSockets, so a test can cut them as a network drop would. */
  const upgraded = new Set<Socket>();
  beforeAll(async () => {
    server = await startServer(kind);
    server.app.server.on('upgrade', (_req, socket: Socket) => {
      upgraded.add(socket);
      socket.once('close', () => upgraded.delete(socket));
    });
  });
  afterAll(() => server.stop());

  it('Apollo Client 4 queries and writes through taskgateLink, and two identical createTask at once both succeed', async () => {
    const client = new ApolloClient({ link: taskgateLink({ url: `${server.baseUrl}/graphql`, credentials: writer }), cache: new InMemoryCache() });
    try {
      const same = { mutation: gql(create), variables: { d: 'the same task twice' } };
      const [a, b] = await Promise.all([client.mutate<Created>(same), client.mutate<Created>(same)]);
      expect(a.error).toBeUndefined();
      expect(b.error).toBeUndefined();
      expect(a.data!.createTask.id).not.toBe(b.data!.createTask.id);
      expect(a.data!.createTask.created.by).toBe(writer.key);
      const read = await client.query<{ tasks: { totalCount: number } }>({ query: gql('query Count { tasks(type: "client_kit") { totalCount } }'), fetchPolicy: 'network-only' });
      expect(read.data?.tasks.totalCount).toBeGreaterThanOrEqual(2);
    } finally {
      client.stop();
    }
  });

  it('urql with its defaults sends queries as signed GETs, and they are answered', async () => {
    const methods: string[] = [];
    const signed = signedFetch(writer);
    const client = new UrqlClient({
      url: `${server.baseUrl}/graphql`,
      exchanges: [fetchExchange],
      fetch: (input, init) => {
        methods.push(init?.method ?? 'GET');
        return signed(input, init);
      },
    });
    const query = await client.query('query Find($type: String) { tasks(type: $type, first: 5) { totalCount } }', { type: 'client_kit' }).toPromise();
    expect(query.error).toBeUndefined();
    expect(typeof query.data.tasks.totalCount).toBe('number');
    const mutation = await client.mutation(create, { d: 'from urql' }).toPromise();
    expect(mutation.error).toBeUndefined();
    expect(mutation.data.createTask.created.by).toBe(writer.key);
    expect(methods).toEqual(['GET', 'POST']);
  });

  it('graphql-request reads and writes with signedFetch as its fetch', async () => {
    const client = new GraphQLClient(`${server.baseUrl}/graphql`, { fetch: signedFetch(writer) });
    const [a, b] = await Promise.all([client.request<any>(create, { d: 'graphql-request twice' }), client.request<any>(create, { d: 'graphql-request twice' })]);
    expect(a.createTask.id).not.toBe(b.createTask.id);
    const read = await client.request<any>('query One($id: ID!) { task(id: $id) { description } }', { id: a.createTask.id });
    expect(read.task.description).toBe('graphql-request twice');
  });

  it('refuses @defer, which the README says is unsupported, with a validation error', async () => {
    const client = new GraphQLClient(`${server.baseUrl}/graphql`, { fetch: signedFetch(writer) });
    const refused = await client.request('query { tasks(first: 1) { totalCount ... @defer { edges { cursor } } } }').catch((error: { response?: { status: number; errors?: { message: string; extensions?: { code?: string } }[] } }) => error.response);
    expect(refused).toMatchObject({ status: 400 });
    const first = (refused as { errors: { message: string; extensions?: { code?: string } }[] }).errors[0];
    expect(first.extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
    expect(first.message).toBe('Unknown directive "@defer".');
  });

  it('graphql-ws through the kit stops for good on a refused key (4403) and says so', async () => {
    const closes: number[] = [];
    const client = createTaskgateClient({ url: server.wsUrl, credentials: { key: writer.key, secret: 'not-the-secret' }, on: { closed: (event) => void closes.push((event as { code: number }).code) } });
    let failure: unknown;
    client.subscribe({ query: 'subscription($after: ID) { taskUpdated(after: $after) { id } }', variables: {} }, { next: () => undefined, error: (e) => (failure = e), complete: () => undefined });
    await eventually(() => failure !== undefined, 'the subscription to fail');
    expect((failure as { code: number; reason: string }).code).toBe(4403);
    expect((failure as { reason: string }).reason).toBe('SignatureDoesNotMatch');
    expect(closes).toEqual([4403]);
    await client.dispose();
  });

  it('graphql-ws through the kit resumes after a dropped connection, signing the new handshake afresh', async () => {
    const dates: string[] = [];
    const client = createTaskgateClient({
      url: server.wsUrl,
      credentials: writer,
      on: { connecting: () => undefined },
      // The kit's own connectionParams, recorded: a new signature for every handshake.
      connectionParams: async () => {
        const params = await connectionParams(writer, server.wsUrl);
        dates.push(params.date);
        return params;
      },
    });
    const seen: string[] = [];
    const start = (await server.gql('{ lastEventId }')).data!.lastEventId as string;
    client.subscribe<{ taskUpdated: { id: string } }>(
      { query: 'subscription($after: ID) { taskUpdated(after: $after) { id } }', variables: { after: start } },
      { next: (r) => void seen.push(r.data!.taskUpdated.id), error: () => undefined, complete: () => undefined },
    );
    await server.gql(create, { d: 'before the drop' });
    await eventually(() => seen.length === 1, 'the first event');
    // The network drops: the server's side of every socket is cut, and writes go on meanwhile.
    for (const socket of upgraded) socket.destroy();
    for (let i = 0; i < 3; i++) await server.gql(create, { d: `during the drop ${i}` });
    await eventually(() => seen.length === 4, 'the events made during the drop');
    await server.gql(create, { d: 'after the drop' });
    await eventually(() => seen.length === 5, 'the event after');
    await client.dispose();
    expect(new Set(seen).size).toBe(5);
    expect(dates.length).toBeGreaterThanOrEqual(2);
    expect(new Set(dates).size).toBe(dates.length);
  });
});
