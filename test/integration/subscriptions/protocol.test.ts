import WebSocket from 'ws';
import { createDataSource } from '../../../src/db/data-source';
import { Database } from '../../../src/db/database';
import { TaskStore } from '../../../src/tasks/task.store';
import { TaskEventKind } from '../../../src/tasks/task-event.entity';
import { databaseKinds } from '../../helpers/databases';
import { startServer, type TestServer, testKeys } from '../../helpers/server';
import { signedConnectionParams } from '../../helpers/signing';
import { createTask, updateTask } from '../../helpers/tasks';
import { Collected, eventually, wsClient } from '../../helpers/ws-client';
import { defaultPatienceMs } from '../../helpers/eventually';

const updates = (fields = 'id version log') => `subscription($id: ID, $after: ID) { taskUpdated(id: $id, after: $after) { ${fields} } }`;


describe.each(databaseKinds())('graphql-ws protocol rules on %s', (kind) => {
  let server: TestServer;
  const clients: ReturnType<typeof wsClient>[] = [];
  const client = (options: Parameters<typeof wsClient>[1] = {}) => {
    const c = wsClient(server.wsUrl, options);
    clients.push(c);
    return c;
  };

  beforeAll(async () => {
    server = await startServer(kind, { TASKGATE_WS_MAX_SUBSCRIPTIONS: '2', TASKGATE_WS_INIT_TIMEOUT_MS: '300' });
  });
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => c.dispose()));
    await eventually(() => server.app.events.stats().subscriptions === 0, 'closed subscriptions to be freed');
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('refuses a subscription beyond the per-connection cap with TOO_MANY_SUBSCRIPTIONS, and frees a slot on complete', async () => {
    const c = client();
    const one = new Collected(c, updates());
    const two = new Collected(c, updates());
    await eventually(() => server.app.events.stats().subscriptions === 2, 'two subscriptions');
    const three = new Collected(c, updates());
    await three.until(() => three.errors.length > 0, defaultPatienceMs, 'an error');
    expect(JSON.stringify(three.errors)).toContain('TOO_MANY_SUBSCRIPTIONS');
    two.stop();
    await eventually(() => server.app.events.stats().subscriptions === 1, 'the completed subscription to be freed');
    const four = new Collected(c, updates());
    await eventually(() => server.app.events.stats().subscriptions === 2, 'a subscription in the freed slot');
    const task = await createTask(server, { description: 'cap' });
    await one.waitFor(1);
    await four.waitFor(1);
    expect(four.events[0].id).toBe(one.events[0].id);
    expect(task.version).toBe(1);
  });

  it('validates subscription documents like HTTP does and names bad arguments', async () => {
    const unknownField = new Collected(client(), `subscription { taskUpdated { id noSuchField } }`);
    await unknownField.until(() => unknownField.errors.length > 0, defaultPatienceMs, 'an error');
    expect(JSON.stringify(unknownField.errors)).toContain('GRAPHQL_VALIDATION_FAILED');
    const badAfter = new Collected(client(), updates(), { after: 'yesterday' });
    await badAfter.until(() => badAfter.errors.length > 0, defaultPatienceMs, 'an error');
    expect(JSON.stringify(badAfter.errors)).toContain('BAD_USER_INPUT');
    const badId = new Collected(client(), updates(), { id: 'not-a-uuid' });
    await badId.until(() => badId.errors.length > 0, defaultPatienceMs, 'an error');
    expect(JSON.stringify(badId.errors)).toContain('BAD_USER_INPUT');
  });

  it('gives each subscription on a socket its own next message, under its own id, when they share a document', async () => {
    const socket = new WebSocket(server.wsUrl, 'graphql-transport-ws');
    const messages: string[] = [];
    socket.on('message', (data) => messages.push(String(data)));
    await new Promise((resolve) => socket.once('open', resolve));
    socket.send(JSON.stringify({ type: 'connection_init', payload: signedConnectionParams(testKeys.writer, new URL(server.wsUrl).host) }));
    await eventually(() => messages.some((m) => JSON.parse(m).type === 'connection_ack'), 'connection_ack');
    const query = 'subscription { taskUpdated { id task { description } } }';
    for (const id of ['first', 'second']) socket.send(JSON.stringify({ id, type: 'subscribe', payload: { query } }));
    await eventually(() => server.app.events.stats().subscriptions === 2, 'two subscriptions');
    const task = await createTask(server, { description: 'one event, two subscriptions' });
    await eventually(() => messages.filter((m) => JSON.parse(m).type === 'next').length === 2, 'two next messages');
    const next = messages.map((m) => JSON.parse(m)).filter((m) => m.type === 'next');
    expect(next.map((m) => m.id).sort()).toEqual(['first', 'second']);
    expect(next.map((m) => Object.keys(m))).toEqual([['id', 'type', 'payload'], ['id', 'type', 'payload']]);
    expect(next[0].payload).toEqual({ data: { taskUpdated: { id: expect.any(String), task: { description: 'one event, two subscriptions' } } } });
    expect(next[1].payload).toEqual(next[0].payload);
    expect(task.version).toBe(1);
    socket.close();
    await eventually(() => server.app.events.stats().subscriptions === 0, 'the socket\'s subscriptions to end');
  });

  it('closes a connection that never sends connection_init (4408)', async () => {
    const socket = new WebSocket(server.wsUrl, 'graphql-transport-ws');
    const [code] = await new Promise<[number, string]>((resolve) => socket.on('close', (c, r) => resolve([c, String(r)])));
    expect(code).toBe(4408);
  });

  // SQLite has one writer at a time, so its ids cannot commit out of order; MariaDB runs writers side by side.
  const withConcurrentWriters = kind === 'sqlite' ? undefined : it;
  withConcurrentWriters?.('assigns event ids in commit order, so a feed resumed after any id it saw misses nothing', async () => {
    const held = await createTask(server, { description: 'committed late', status: 'IN_PROGRESS' });
    const quick = await createTask(server, { description: 'committed early', status: 'IN_PROGRESS' });
    const live = new Collected(client(), updates('id version log task { id }'));
    await eventually(() => server.app.events.stats().subscriptions === 1, 'the live subscription');

    // Another writer (as a second gateway would be) takes an event id and holds its transaction open.
    const other = createDataSource({ ...server.app.config.database });
    await other.initialize();
    const store = new TaskStore(new Database(other));
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    let heldId!: (id: string) => void;
    const heldIdKnown = new Promise<string>((resolve) => (heldId = resolve));
    const slow = new Database(other).transaction(async (tx) => {
      const current = (await store.lockById(tx, held.id))!;
      const next = { ...current, log: 'slow writer', version: current.version + 1, lastUpdate: new Date() };
      await store.updateIfVersion(tx, next, current, 'slow writer');
      // Without commitWith the event is inserted by a statement of its own and the clock row stays
      // locked until this transaction commits: a writer that holds it for as long as it likes.
      const event = await store.appendEvent({ select: tx.select, write: tx.write }, {
        taskUuid: held.id,
        kind: TaskEventKind.UPDATED,
        version: next.version,
        status: next.status,
        previousStatus: current.status,
        stage: next.stage,
        previousStage: current.stage,
        log: 'slow writer',
        at: next.lastUpdate,
        by: 'other',
      });
      heldId(event.id);
      await released;
      return event;
    });
    const slowId = Number(await heldIdKnown);
    // Meanwhile this gateway commits a change to another task: it must not overtake the held id.
    const fast = updateTask(server, quick.id, { log: 'fast writer' });
    // Release the held transaction only once the fast writer's event insert has reached the
    // database (where it must wait for the held clock row); releasing on a timer would pass
    // without any race whenever the machine is slow to send it.
    await eventually(async () => {
      // Its event insert runs inside a procedure call (migration EventCommitProcedure), shown as
      // the statement it is running or as the call.
      const [row] = await other.query(
        `SELECT COUNT(*) AS n FROM information_schema.PROCESSLIST WHERE DB = DATABASE() ` +
          `AND (INFO LIKE 'INSERT INTO task_events%' OR INFO LIKE 'CALL update_task_append_event_and_commit%')`,
      );
      return Number(row.n) > 0;
    }, 'the fast writer to reach the database and wait behind the held event id');
    release();
    await slow;
    await fast;
    await other.destroy();

    const [first, second] = await live.waitFor(2);
    expect([first.log, second.log]).toEqual(['slow writer', 'fast writer']);
    expect(Number(first.id)).toBe(slowId);
    expect(Number(second.id)).toBeGreaterThan(slowId);
    // A client that saw only the first one and resumes after it gets the second: no gap.
    const resumed = new Collected(client(), updates(), { after: first.id });
    const [again] = await resumed.waitFor(1);
    expect(again.id).toBe(second.id);
  });
});

describe.each(databaseKinds())('slow subscribers and shutdown on %s', (kind) => {
  it('closes a subscriber that cannot keep up with a clear reason while the others get every event', async () => {
    const server = await startServer(kind, { TASKGATE_WS_QUEUE_LIMIT: '20' });
    try {
      let slowSocket: WebSocket | undefined;
      class PausableWebSocket extends WebSocket {
        constructor(...args: ConstructorParameters<typeof WebSocket>) {
          super(...args);
          slowSocket = this;
        }
      }
      let closedWith: { code: number; reason: string } | undefined;
      const slowClient = wsClient(server.wsUrl, { webSocketImpl: PausableWebSocket, onClosed: (e) => (closedWith = e) });
      const fastClient = wsClient(server.wsUrl);
      const task = await createTask(server, { description: 'chatty', status: 'IN_PROGRESS' });
      const slow = new Collected(slowClient, updates(), { id: task.id });
      const fast = new Collected(fastClient, updates(), { id: task.id });
      await eventually(() => server.app.events.stats().subscriptions === 2, 'two subscriptions');
      await updateTask(server, task.id, { log: 'warm up' });
      await slow.waitFor(1);
      slowSocket!.pause();

      // Big logs fill the socket buffers quickly; then the slow subscriber's queue grows past its limit.
      const bigLog = 'x'.repeat(60_000);
      let sent = 1;
      while (server.app.events.stats().subscriptions === 2) {
        if (sent > 2000) throw new Error('the slow subscriber was never closed');
        await updateTask(server, task.id, { log: `${sent} ${bigLog}` });
        sent++;
      }
      await updateTask(server, task.id, { log: 'after the slow one left' });
      sent++;
      const events = await fast.waitFor(sent, 60_000);
      expect(events.map((e) => e.version)).toEqual(Array.from({ length: sent }, (_, i) => i + 2));

      slowSocket!.resume();
      await eventually(() => closedWith !== undefined, 'the slow client to see the close');
      expect(closedWith!.code).toBe(4008);
      expect(closedWith!.reason).toMatch(/too slow.*after/);
      // What it did get arrived in order, without gaps, so it can resume after the last one.
      expect(slow.events.map((e) => e.version)).toEqual(Array.from({ length: slow.events.length }, (_, i) => i + 2));
      await Promise.all([slowClient.dispose(), fastClient.dispose()]);
    } finally {
      await server.stop();
    }
  });

  it('on shutdown delivers what was committed, then closes sockets with 1001', async () => {
    const server = await startServer(kind);
    let closedWith: { code: number; reason: string } | undefined;
    const c = wsClient(server.wsUrl, { onClosed: (e) => (closedWith = e) });
    try {
      const feed = new Collected(c, updates());
      await eventually(() => server.app.events.stats().subscriptions === 1, 'the subscription');
      const task = await createTask(server, { description: 'last words' });
      await server.app.stop();
      await eventually(() => closedWith !== undefined, 'the close');
      expect(closedWith!.code).toBe(1001);
      expect(feed.events.map((e) => e.id)).toHaveLength(1);
      expect(task.version).toBe(1);
    } finally {
      await c.dispose();
      await server.stop().catch(() => undefined);
    }
  });
});
