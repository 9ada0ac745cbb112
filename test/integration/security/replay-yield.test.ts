import { createClient } from 'graphql-ws';
import WebSocket from 'ws';
import { formatDbTime } from '../../../src/db/database';
import { databaseKinds } from '../../helpers/databases';
import { startServer, type TestServer, testKeys } from '../../helpers/server';
import { signedConnectionParams } from '../../helpers/signing';
import { eventually } from '../../helpers/ws-client';

/**
 * Issue 13, finding 3: on SQLite (a synchronous driver) a replay of the whole event history, an
 * SSE stream from ?after=0 or a GET /tasks/ listing held the event loop until it ended, and a
 * client that disconnected left its replay running to the end of the table. These tests replay
 * 200,000 events with a client that reads as fast as it can and require that /healthz answers
 * while the replay is still running, and that a disconnect stops it.
 */
const tasks = 20_000;
const eventsPerTask = 10;
const total = tasks * eventsPerTask;
const uuidOf = (i: number) => `${i.toString(16).padStart(8, '0')}-0000-4000-8000-${i.toString(16).padStart(12, '0')}`;

/** 20,000 tasks with 10 status-change events each, by bulk INSERTs (test setup may write directly). */
async function seed(server: TestServer): Promise<void> {
  const at = formatDbTime(new Date(Date.UTC(2026, 0, 1)));
  const batch = 1000;
  for (let from = 0; from < tasks; from += batch) {
    const taskRows: unknown[] = [];
    for (let i = from; i < from + batch; i++) taskRows.push(uuidOf(i), `replayed task ${i}`, 'IN_PROGRESS', 'in progress', 'replay', null, at, 'seeder', at, null, eventsPerTask);
    await server.app.dataSource.query(
      `INSERT INTO tasks (uuid, description, status, stage, type, object_uuid, created_at, created_by, last_update, log, version) VALUES ${new Array(batch).fill('(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)').join(', ')}`,
      taskRows,
    );
    for (let v = 1; v <= eventsPerTask; v++) {
      const eventRows: unknown[] = [];
      for (let i = from; i < from + batch; i++) eventRows.push(uuidOf(i), v === 1 ? 'CREATED' : 'UPDATED', v, 'IN_PROGRESS', 'in progress', 'PENDING', 'pending', null, at, 'seeder');
      await server.app.dataSource.query(
        `INSERT INTO task_events (task_uuid, kind, version, status, stage, previous_status, previous_stage, log, changed_at, changed_by) VALUES ${new Array(batch).fill('(?, ?, ?, ?, ?, ?, ?, ?, ?, ?)').join(', ')}`,
        eventRows,
      );
    }
  }
}

describe.each(databaseKinds())('long replays and listings share the event loop on %s', (kind) => {
  let server: TestServer;

  beforeAll(async () => {
    server = await startServer(kind, { TASKGATE_SSE_KEEPALIVE_MS: '60000' });
    await seed(server);
  }, 180_000);
  afterAll(async () => {
    await server?.stop();
  });

  const delivered = async () => (await server.app.metrics.eventsDelivered.get()).values[0]?.value ?? 0;
  const healthz = async () => (await fetch(`${server.baseUrl}/healthz`)).status;

  /** Once the server has let go of every subscription, nothing more is delivered however long we look. */
  async function expectReplayStopped(before: number): Promise<void> {
    await eventually(() => server.app.events.stats().subscriptions === 0, 'the server to end the disconnected replay');
    const stoppedAt = await delivered();
    expect(stoppedAt - before).toBeLessThan(total);
    for (let i = 0; i < 5; i++) expect(await healthz()).toBe(200);
    expect(await delivered()).toBe(stoppedAt);
  }

  it('answers /healthz while a WebSocket subscription replays 200,000 events from after: "0", and stops the replay when the client disconnects', async () => {
    const before = await delivered();
    let received = 0;
    const client = createClient({
      url: server.wsUrl,
      webSocketImpl: WebSocket,
      lazy: false,
      retryAttempts: 0,
      connectionParams: () => signedConnectionParams(testKeys.reader, server.host),
      onNonLazyError: () => undefined,
    });
    client.subscribe({ query: 'subscription Replay { taskUpdated(after: "0") { id } }' }, { next: () => received++, error: () => undefined, complete: () => undefined });
    await eventually(() => received > 0, 'the replay to start');
    expect(await healthz()).toBe(200);
    // /healthz answered and the replay had not reached its last event yet.
    expect((await delivered()) - before).toBeLessThan(total);
    expect(received).toBeLessThan(total);
    await client.dispose();
    await expectReplayStopped(before);
  });

  it('answers /healthz while a Server-Sent Events stream replays 200,000 events from ?after=0, and stops when the client disconnects', async () => {
    const before = await delivered();
    const abort = new AbortController();
    const response = await server.stream('GET', '/tasks/events?after=0', { user: 'reader', headers: { accept: 'text/event-stream' }, signal: abort.signal });
    expect(response.status).toBe(200);
    const reader = response.body!.getReader();
    let bytes = 0;
    const reading = (async () => {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) return;
        bytes += value.length;
      }
    })().catch(() => undefined);
    await eventually(async () => (await delivered()) > before, 'the replay to start');
    expect(await healthz()).toBe(200);
    expect((await delivered()) - before).toBeLessThan(total);
    expect(bytes).toBeGreaterThan(0);
    abort.abort();
    await reading;
    await expectReplayStopped(before);
  });

  it('answers /healthz while GET /tasks/ streams 20,000 tasks to a fast reader, and frees the stream when the client disconnects', async () => {
    const abort = new AbortController();
    const response = await server.stream('GET', '/tasks/', { user: 'reader', signal: abort.signal });
    expect(response.status).toBe(200);
    const reader = response.body!.getReader();
    let ended = false;
    let tail = '';
    const reading = (async () => {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) return void (ended = true);
        tail = (tail + Buffer.from(value).toString('utf8')).slice(-16);
      }
    })().catch(() => undefined);
    expect(await healthz()).toBe(200);
    // The listing was still being written when /healthz answered.
    expect(ended).toBe(false);
    expect(tail.endsWith(']}')).toBe(false);
    abort.abort();
    await reading;
    // The key's listing slot is free again: another full listing is served to the end.
    const again = await server.request('GET', '/tasks/', { user: 'reader' });
    expect(again.status).toBe(200);
    expect(again.body.tasks).toHaveLength(tasks);
  });
});
