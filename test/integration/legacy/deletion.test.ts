import { databaseKinds } from '../../helpers/databases';
import { startServer, type TestServer, testKeys } from '../../helpers/server';
import { SseReader } from '../../helpers/sse-client';
import { Collected, eventually, wsClient } from '../../helpers/ws-client';
import { bare } from './legacy-wire';

const feed = `subscription($after: ID) { taskUpdated(after: $after) { id kind taskId stage previousStage status by version task { id stage } } }`;

describe.each(databaseKinds())('deleting tasks on %s', (kind) => {
  let server: TestServer;
  const clients: ReturnType<typeof wsClient>[] = [];
  const readers: SseReader[] = [];

  beforeAll(async () => {
    server = await startServer(kind);
  });
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => c.dispose()));
    await Promise.all(readers.splice(0).map((r) => r.close()));
    await eventually(() => server.app.events.stats().subscriptions === 0, 'the server to let go of closed feeds');
  });
  afterAll(async () => {
    await server?.stop();
  });

  async function watch(): Promise<{ subscriber: Collected; sse: SseReader }> {
    const client = wsClient(server.wsUrl);
    clients.push(client);
    const subscriber = new Collected(client, feed);
    const response = await server.stream('GET', '/tasks/events', { headers: { accept: 'text/event-stream' } });
    const sse = new SseReader(response);
    readers.push(sse);
    await eventually(() => server.app.events.stats().subscriptions === 2, 'both feeds to be subscribed');
    return { subscriber, sse };
  }
  async function create(description: string): Promise<string> {
    const res = await server.request('POST', '/tasks/', { body: bare({ description, status: 'pending' }) });
    return res.body.task_id;
  }

  it('deletes over REST with {"delete": "success"}; a subscriber and the SSE feed see the task go; its history stays', async () => {
    const { subscriber, sse } = await watch();
    const id = await create('to be deleted over REST');
    await server.request('PUT', `/tasks/${id}`, { body: bare({ status: 'dispatching', log: 'on its way' }) });
    const res = await server.request('DELETE', `/tasks/${id.toUpperCase()}`, { headers: {} });
    expect([res.status, res.body]).toEqual([200, { delete: 'success' }]);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);

    const [, , deleted] = await subscriber.waitFor(3);
    expect(deleted).toMatchObject({ kind: 'DELETED', taskId: id, task: null, stage: 'dispatching', previousStage: 'dispatching', status: 'IN_PROGRESS', by: testKeys.writer.user, version: 3 });
    const messages = await sse.waitFor(3);
    expect(messages.map((m) => m.event)).toEqual([undefined, undefined, undefined]);
    expect(sse.data.map((d: any) => d.kind)).toEqual(['created', 'updated', 'deleted']);
    expect(sse.data[2]).toMatchObject({ uuid: id, kind: 'deleted', status: 'dispatching', phase: 'IN_PROGRESS', log: null, version: 3 });
    expect(messages[2].id).toBe(deleted.id);

    expect((await server.request('GET', `/tasks/${id}`)).status).toBe(404);
    expect((await server.gql(`query($id: ID!) { task(id: $id) { id } }`, { id })).data!.task).toBeNull();
    expect((await server.request('GET', '/tasks/status/dispatching')).body.tasks.map((t: any) => t.uuid)).not.toContain(id);
    const again = await server.request('DELETE', `/tasks/${id}`);
    expect([again.status, again.body]).toEqual([404, { delete: 'error', reason: 'document not found', error: 'document not found' }]);
    // The audit trail: every event of the task, the deletion last, replayed from task_events.
    const replayClient = wsClient(server.wsUrl);
    clients.push(replayClient);
    const replay = new Collected(replayClient, `subscription($id: ID) { taskUpdated(id: $id, after: "0") { kind stage task { id } } }`, { id });
    const history = await replay.waitFor(3);
    expect(history).toEqual([
      { kind: 'CREATED', stage: 'pending', task: null },
      { kind: 'UPDATED', stage: 'dispatching', task: null },
      { kind: 'DELETED', stage: 'dispatching', task: null },
    ]);
  });

  it('deletes over GraphQL (deleteTask), answering the deletion event, seen by both feeds', async () => {
    const { subscriber, sse } = await watch();
    const id = await create('to be deleted over GraphQL');
    const result = await server.gql(`mutation($id: ID!) { deleteTask(id: $id) { id kind taskId stage status task { id } } }`, { id });
    expect(result.errors).toBeUndefined();
    expect(result.data!.deleteTask).toMatchObject({ kind: 'DELETED', taskId: id, stage: 'pending', status: 'PENDING', task: null });
    const [, deleted] = await subscriber.waitFor(2);
    expect(deleted).toMatchObject({ id: result.data!.deleteTask.id, kind: 'DELETED', taskId: id, task: null });
    await sse.waitFor(2);
    expect(sse.messages[1].event).toBeUndefined();
    expect(sse.data[1]).toMatchObject({ uuid: id, kind: 'deleted' });
    const missing = await server.gql(`mutation($id: ID!) { deleteTask(id: $id) { id } }`, { id });
    expect(missing.errors?.[0].extensions).toMatchObject({ code: 'TASK_NOT_FOUND' });
    // Its history keeps the id: a new task cannot take it.
    const reused = await server.request('POST', '/tasks/', { body: bare({ description: 'same id again', uuid: id }) });
    const reason = `the id ${id} belonged to a deleted task whose history is kept; use another id`;
    expect([reused.status, reused.body]).toEqual([409, { create: 'error', reason, error: reason }]);
  });

  it('refuses a read key over REST and GraphQL, and deletes nothing', async () => {
    const id = await create('kept');
    const rest = await server.request('DELETE', `/tasks/${id}`, { user: 'reader' });
    expect([rest.status, rest.body]).toEqual([403, { delete: 'error', reason: 'this key may read but not write', error: 'this key may read but not write' }]);
    const graphql = await server.gql(`mutation($id: ID!) { deleteTask(id: $id) { id } }`, { id }, { user: 'reader' });
    expect(graphql.errors?.[0].extensions).toMatchObject({ code: 'FORBIDDEN' });
    expect((await server.request('GET', `/tasks/${id}`)).status).toBe(200);
  });
});
