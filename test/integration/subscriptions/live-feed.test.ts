import { databaseKinds } from '../../helpers/databases';
import { startServer, type TestServer, testKeys } from '../../helpers/server';
import { createTask, type TaskChange, type TaskInput, tryUpdateTask } from '../../helpers/tasks';
import { Collected, eventually, wsClient } from '../../helpers/ws-client';

const eventFields = 'id status previousStatus log at by version task { id status type version }';
const statusFeed = `subscription($id: ID, $status: TaskStatus, $type: String, $after: ID) {
  taskStatusChanged(id: $id, status: $status, type: $type, after: $after) { ${eventFields} } }`;
const updateFeed = `subscription($id: ID, $after: ID) { taskUpdated(id: $id, after: $after) { ${eventFields} } }`;

describe.each(databaseKinds())('live task feeds over graphql-ws on %s', (kind) => {
  let server: TestServer;
  const clients: ReturnType<typeof wsClient>[] = [];
  const client = () => {
    const c = wsClient(server.wsUrl);
    clients.push(c);
    return c;
  };

  beforeAll(async () => {
    server = await startServer(kind);
  });
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => c.dispose()));
    // Closing a socket frees its subscriptions on the server.
    await eventually(() => server.app.events.stats().subscriptions === 0, 'the server to let go of closed subscriptions');
  });
  afterAll(async () => {
    await server?.stop();
  });

  const create = (input: TaskInput) => createTask(server, input);
  /** The raw answer: some of these changes are meant to be refused. */
  const update = (id: string, change: TaskChange, expectedVersion?: number) => tryUpdateTask(server, id, change, { expectedVersion, fields: 'id status version' });
  /** The feed is registered on the server once the subscription count says so. */
  async function subscribed(n: number) {
    await eventually(() => server.app.events.stats().subscriptions === n, `${n} subscriptions on the server`);
  }

  it('pushes a status change made by a mutation, with the event and the current task', async () => {
    const feed = new Collected(client(), statusFeed);
    await subscribed(1);
    const task = await create({ description: 'watch me', type: 'create_instance' });
    const moved = await update(task.id, { status: 'IN_PROGRESS', log: 'cloning' });
    expect(moved.errors).toBeUndefined();
    const [created, started] = await feed.waitFor(2);
    expect(created).toMatchObject({ status: 'PENDING', previousStatus: null, version: 1, by: testKeys.writer.user, task: { id: task.id, type: 'create_instance' } });
    expect(started).toMatchObject({ status: 'IN_PROGRESS', previousStatus: 'PENDING', log: 'cloning', version: 2, task: { id: task.id } });
    expect(started.task.status).toBe('IN_PROGRESS');
    expect(Number(started.id)).toBeGreaterThan(Number(created.id));
    expect(Date.parse(started.at)).not.toBeNaN();
  });

  it('selects events by task id, by new status and by task type', async () => {
    const a = await create({ description: 'a', type: 'backup' });
    const byId = new Collected(client(), statusFeed, { id: a.id.toUpperCase() });
    const byStatus = new Collected(client(), statusFeed, { status: 'FAILED' });
    const byType = new Collected(client(), statusFeed, { type: 'restore' });
    const both = new Collected(client(), statusFeed, { type: 'restore', status: 'SUCCESS' });
    await subscribed(4);
    const b = await create({ description: 'b', type: 'restore' });
    await update(a.id, { status: 'IN_PROGRESS' });
    await update(b.id, { status: 'FAILED' });
    await update(a.id, { status: 'SUCCESS' });
    const c = await create({ description: 'c', type: 'restore', status: 'IN_PROGRESS' });
    await update(c.id, { status: 'SUCCESS' });
    // A last marker every feed wants tells us the earlier events have all been delivered.
    await update(a.id, { log: 'log only: not a status change' });
    const marker = await create({ description: 'marker', type: 'restore', status: 'IN_PROGRESS' });
    await update(marker.id, { status: 'FAILED' });
    const last = await update(marker.id, { log: 'x' });
    expect(last.errors).toBeUndefined();

    const ids = (events: any[]) => events.map((e) => `${e.task.id}:${e.status}`);
    await byType.waitFor(6);
    await byStatus.waitFor(2);
    expect(ids(byType.events)).toEqual([`${b.id}:PENDING`, `${b.id}:FAILED`, `${c.id}:IN_PROGRESS`, `${c.id}:SUCCESS`, `${marker.id}:IN_PROGRESS`, `${marker.id}:FAILED`]);
    expect(ids(byStatus.events)).toEqual([`${b.id}:FAILED`, `${marker.id}:FAILED`]);
    await both.waitFor(1);
    expect(ids(both.events)).toEqual([`${c.id}:SUCCESS`]);
    await byId.waitFor(2);
    expect(ids(byId.events)).toEqual([`${a.id}:IN_PROGRESS`, `${a.id}:SUCCESS`]);
  });

  it('announces log-only updates on taskUpdated but not on taskStatusChanged', async () => {
    const task = await create({ description: 'logs', status: 'IN_PROGRESS' });
    const all = new Collected(client(), updateFeed, { id: task.id });
    const statuses = new Collected(client(), statusFeed, { id: task.id });
    await subscribed(2);
    await update(task.id, { log: 'step 1' });
    await update(task.id, { log: 'step 2' });
    await update(task.id, { status: 'SUCCESS', log: 'done' });
    await all.waitFor(3);
    expect(all.events.map((e) => e.log)).toEqual(['step 1', 'step 2', 'done']);
    await statuses.waitFor(1);
    expect(statuses.events.map((e) => [e.status, e.version])).toEqual([['SUCCESS', 4]]);
  });

  it('never announces a change that was refused or rolled back', async () => {
    const task = await create({ description: 'strict', status: 'IN_PROGRESS' });
    const feed = new Collected(client(), updateFeed, { id: task.id });
    await subscribed(1);
    const backwards = await update(task.id, { status: 'PENDING' });
    expect(backwards.errors?.[0].extensions?.code).toBe('INVALID_TRANSITION');
    const stale = await update(task.id, { log: 'stale writer' }, 7);
    expect(stale.errors?.[0].extensions?.code).toBe('VERSION_CONFLICT');
    const good = await update(task.id, { log: 'the one real change' }, 1);
    expect(good.errors).toBeUndefined();
    const [first] = await feed.waitFor(1);
    expect(first).toMatchObject({ log: 'the one real change', version: 2 });
    // One more real change arrives next: nothing was slipped in between.
    await update(task.id, { status: 'FAILED' });
    await feed.waitFor(2);
    expect(feed.events.map((e) => e.version)).toEqual([2, 3]);
  });

  it('resumes with after: exactly the events missed while away, in order, then live', async () => {
    const task = await create({ description: 'resumable', status: 'IN_PROGRESS' });
    const first = new Collected(client(), updateFeed, { id: task.id });
    await subscribed(1);
    for (let i = 1; i <= 5; i++) await update(task.id, { log: `before ${i}` });
    const seen = await first.waitFor(5);
    const lastSeen = seen[4].id;
    first.stop();
    await Promise.all(clients.splice(0).map((c) => c.dispose()));
    await subscribed(0);
    for (let i = 1; i <= 50; i++) await update(task.id, { log: `away ${i}` });

    const resumed = new Collected(client(), updateFeed, { id: task.id, after: lastSeen });
    await resumed.waitFor(50);
    await update(task.id, { log: 'live again' });
    const all = await resumed.waitFor(51);
    expect(all.map((e) => e.log)).toEqual([...Array.from({ length: 50 }, (_, i) => `away ${i + 1}`), 'live again']);
    expect(all.map((e) => e.version)).toEqual(Array.from({ length: 51 }, (_, i) => 7 + i));
    const ids = all.map((e) => Number(e.id));
    expect(ids).toEqual([...ids].sort((x, y) => x - y));
    expect(ids[0]).toBeGreaterThan(Number(lastSeen));
  });

  // Fixed work (1,000 writes, 20,000 deliveries): seconds when idle, several times that on a busy machine.
  const burstCeilingMs = 4 * 60_000;
  it('delivers a burst of 1,000 changes across 20 tasks to 20 subscribers, each event once and in per-task order', async () => {
    const tasks = await Promise.all(Array.from({ length: 20 }, (_, i) => create({ description: `burst ${i}`, status: 'IN_PROGRESS', type: 'burst' })));
    const taskIds = new Set(tasks.map((t) => t.id));
    const feeds = Array.from({ length: 20 }, () => new Collected(client(), `subscription { taskUpdated { id version task { id } } }`));
    await subscribed(20);
    // 50 log updates per task, the tasks written concurrently.
    await Promise.all(
      tasks.map(async (task) => {
        for (let i = 1; i <= 50; i++) {
          const result = await update(task.id, { log: `tick ${i}` });
          if (result.errors) throw new Error(JSON.stringify(result.errors));
        }
      }),
    );
    for (const feed of feeds) {
      const events = (await feed.waitFor(1000, burstCeilingMs)).filter((e) => taskIds.has(e.task.id));
      expect(events).toHaveLength(1000);
      expect(new Set(events.map((e) => e.id)).size).toBe(1000);
      for (const task of tasks) {
        expect(events.filter((e) => e.task.id === task.id).map((e) => e.version)).toEqual(Array.from({ length: 50 }, (_, i) => i + 2));
      }
      const ids = events.map((e) => Number(e.id));
      expect(ids).toEqual([...ids].sort((x, y) => x - y));
    }
  }, burstCeilingMs + 60_000);

  it('filters by status word with stage, counting a change of word within a phase as a status change', async () => {
    const byWord = new Collected(client(), `subscription { taskStatusChanged(stage: "Provisioned") { stage previousStage status task { id } } }`);
    const changes = new Collected(client(), `subscription { taskStatusChanged(type: "create_container") { stage status } }`);
    await subscribed(2);
    const task = await create({ description: 'words over the feed', type: 'create_container', stage: 'received' });
    for (const input of [{ stage: 'provisioning' }, { log: 'log only: not a status change' }, { stage: 'provisioned', log: 'stdout' }]) {
      expect((await update(task.id, input)).errors).toBeUndefined();
    }
    const [provisioned] = await byWord.waitFor(1);
    expect(provisioned).toEqual({ stage: 'provisioned', previousStage: 'provisioning', status: 'SUCCESS', task: { id: task.id } });
    expect(await changes.waitFor(3)).toEqual([
      { stage: 'received', status: 'IN_PROGRESS' },
      { stage: 'provisioning', status: 'IN_PROGRESS' },
      { stage: 'provisioned', status: 'SUCCESS' },
    ]);
  });
});
