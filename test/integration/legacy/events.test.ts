import { request as httpRequest, type IncomingMessage } from 'node:http';
import { databaseKinds } from '../../helpers/databases';
import { startServer, type TestServer, testKeys } from '../../helpers/server';
import { SseReader } from '../../helpers/sse-client';
import { eventually } from '../../helpers/ws-client';

const eventKeys = ['uuid', 'kind', 'status', 'previous_status', 'phase', 'log', 'at', 'by', 'version'];

describe.each(databaseKinds())('legacy Server-Sent Events (GET /tasks/events) on %s', (kind) => {
  let server: TestServer;
  const readers: SseReader[] = [];

  beforeAll(async () => {
    server = await startServer(kind, { TASKGATE_SSE_KEEPALIVE_MS: '200' });
  });
  afterEach(async () => {
    await Promise.all(readers.splice(0).map((r) => r.close()));
    await eventually(() => server.app.events.stats().subscriptions === 0, 'the server to let go of closed streams');
  });
  afterAll(async () => {
    await server?.stop();
  });

  /** Opens a stream and waits until the server has subscribed it to the feed. */
  async function open(path: string, headers: Record<string, string> = {}): Promise<SseReader> {
    const before = server.app.events.stats().subscriptions;
    const response = await server.stream('GET', path, { headers: { accept: 'text/event-stream', ...headers } });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
    const reader = new SseReader(response);
    readers.push(reader);
    await eventually(() => server.app.events.stats().subscriptions > before, 'the stream to be subscribed');
    return reader;
  }
  async function create(body: Record<string, unknown>): Promise<string> {
    const res = await server.request('POST', '/tasks', { body });
    expect(res.status).toBe(200);
    return res.body.task_id;
  }
  async function put(id: string, body: Record<string, unknown>): Promise<void> {
    const res = await server.request('PUT', `/tasks/${id}`, { body });
    expect(res.status).toBe(200);
  }

  it('pushes each status change as an unnamed message (EventSource onmessage) with its id and the change in legacy JSON, at both prefixes', async () => {
    const root = await open('/tasks/events');
    const prefixed = await open('/api/virtshell/v1/tasks/events/');
    const id = await create({ description: 'watched over SSE', type: 'create_instance' });
    await put(id, { status: 'in progress', log: 'cloning' });
    await put(id, { log: 'a log-only update is not a status change' });
    await put(id, { status: 'sucess', log: 'done' });
    for (const reader of [root, prefixed]) {
      const messages = await reader.waitFor(3);
      expect(messages.map((m) => m.event)).toEqual([undefined, undefined, undefined]);
      const ids = messages.map((m) => Number(m.id));
      expect(ids[0]).toBeGreaterThan(0);
      expect(ids[1]).toBeGreaterThan(ids[0]);
      expect(ids[2]).toBeGreaterThan(ids[1]);
      const [created, started, finished] = reader.data;
      expect(Object.keys(created)).toEqual(eventKeys);
      expect(created).toMatchObject({ uuid: id, status: 'pending', previous_status: null, log: null, by: testKeys.writer.user, version: 1 });
      expect(started).toMatchObject({ uuid: id, status: 'in progress', previous_status: 'pending', log: 'cloning', version: 2 });
      expect(finished).toMatchObject({ uuid: id, status: 'sucess', previous_status: 'in progress', log: 'done', version: 4 });
      expect(finished.at).toMatch(/^\d{10}$/);
      expect(Math.abs(Number(finished.at) * 1000 - Date.now())).toBeLessThan(15 * 60_000);
    }
    // Keep-alive comments flow while nothing happens (every 200 ms in this suite).
    await root.until(() => root.comments.includes('keep-alive'), 'a keep-alive comment');
  });

  it('selects by status (any legacy spelling) and by task id', async () => {
    const a = await create({ description: 'a' });
    const inProgress = await open('/tasks/events?status=in%20progress');
    const succeeded = await open('/tasks/events?status=success');
    const onlyA = await open(`/tasks/events?id=${a.toUpperCase()}`);
    const failedOfA = await open(`/tasks/events?id=${a}&status=failed`);
    const b = await create({ description: 'b', status: 'in progress' });
    await put(a, { status: 'in progress' });
    await put(b, { status: 'success' });
    await put(a, { status: 'failed', log: 'broke' });
    // A marker every reader wants proves the earlier events have all been delivered.
    await put(b, { log: 'log only' });
    const c = await create({ description: 'c', status: 'in progress' });
    await put(c, { status: 'sucess' });

    expect((await inProgress.waitFor(3)).length).toBe(3);
    expect(inProgress.data.map((e) => e.uuid)).toEqual([b, a, c]);
    expect((await succeeded.waitFor(2)).length).toBe(2);
    expect(succeeded.data.map((e) => [e.uuid, e.status])).toEqual([
      [b, 'sucess'],
      [c, 'sucess'],
    ]);
    expect(onlyA.data.length).toBeLessThanOrEqual(2);
    await onlyA.waitFor(2);
    expect(onlyA.data.map((e) => e.status)).toEqual(['in progress', 'failed']);
    await failedOfA.waitFor(1);
    expect(failedOfA.data).toEqual([expect.objectContaining({ uuid: a, status: 'failed', previous_status: 'in progress', log: 'broke' })]);
  });

  it('carries the words callers write, and selects by any word (the documented four by their phase)', async () => {
    const dispatched = await open('/tasks/events?status=Dispatched');
    const inProgress = await open('/tasks/events?status=in%20progress');
    const id = await create({ description: 'dispatched over SSE' });
    await put(id, { status: 'dispatching', log: 'to an agent' });
    await put(id, { status: 'dispatched' });
    await put(id, { status: 'error', log: 'task not supported' });
    await dispatched.waitFor(1);
    expect(dispatched.data).toEqual([expect.objectContaining({ uuid: id, kind: 'updated', status: 'dispatched', previous_status: 'dispatching', phase: 'IN_PROGRESS' })]);
    // A change of word within the in progress phase is a status change too.
    await inProgress.waitFor(2);
    expect(inProgress.data.map((e) => [e.status, e.previous_status])).toEqual([
      ['dispatching', 'pending'],
      ['dispatched', 'dispatching'],
    ]);
  });

  it('answers with the corrected spelling when the caller opts in', async () => {
    const reader = await open('/tasks/events', { 'x-taskgate-status-spelling': 'corrected' });
    const id = await create({ description: 'spelled', status: 'in progress' });
    await put(id, { status: 'sucess' });
    await reader.waitFor(2);
    expect(reader.data[1]).toMatchObject({ status: 'success', previous_status: 'in progress' });
  });

  it('resumes with Last-Event-ID (or ?after=): exactly the missed events, in order, then live', async () => {
    const first = await open('/tasks/events');
    const id = await create({ description: 'resume me' });
    await put(id, { status: 'in progress' });
    const seen = await first.waitFor(2);
    const lastSeen = seen[1].id!;
    await first.close();

    // Changes made while disconnected.
    const other = await create({ description: 'made while away' });
    await put(id, { status: 'failed', log: 'away' });
    await put(other, { status: 'in progress' });

    const resumed = await open('/tasks/events', { 'last-event-id': lastSeen });
    const byQuery = await open(`/tasks/events?after=${lastSeen}`);
    // The header wins over the query (a reconnecting EventSource keeps its original URL).
    const both = await open(`/tasks/events?after=0`, { 'last-event-id': lastSeen });
    await put(other, { status: 'sucess' });
    for (const reader of [resumed, byQuery, both]) {
      const messages = await reader.waitFor(4);
      expect(reader.data.map((e) => [e.uuid, e.status])).toEqual([
        [other, 'pending'],
        [id, 'failed'],
        [other, 'in progress'],
        [other, 'sucess'],
      ]);
      const ids = messages.map((m) => Number(m.id));
      expect(ids[0]).toBeGreaterThan(Number(lastSeen));
      expect([...ids].sort((x, y) => x - y)).toEqual(ids);
      expect(new Set(ids).size).toBe(4);
    }
  });

  it('refuses bad filters and resume points with 400 JSON before streaming anything', async () => {
    const cases: [string, Record<string, string>, string][] = [
      ['/tasks/events?status=done!', {}, 'status: "done!" is not a status word: use letters, digits, spaces, _ and -'],
      [`/tasks/events?status=${'x'.repeat(65)}`, {}, 'status: a status word has at most 64 characters'],
      ['/api/virtshell/v1/tasks/events?status=', {}, 'status: give a status word (e.g. pending, dispatching, provisioned)'],
      ['/tasks/events?id=not-a-uuid', {}, 'id: must be a UUID like 3f2c1a9e-0b7d-4c55-9a61-2f0e8d4b7c10'],
      ['/tasks/events?after=-1', {}, 'after: must be an event id (a whole number)'],
      ['/tasks/events', { 'last-event-id': 'abc' }, 'Last-Event-ID: must be an event id (a whole number)'],
    ];
    for (const [path, headers, error] of cases) {
      const res = await server.request('GET', path, { headers: { accept: 'text/event-stream', ...headers } });
      expect({ path, status: res.status, body: res.body }).toEqual({ path, status: 400, body: { error } });
      expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    }
    expect(server.app.events.stats().subscriptions).toBe(0);
  });

  it('answers 406 JSON when Accept rules out both text/event-stream and JSON, and 405 for other methods', async () => {
    const res = await server.request('GET', '/tasks/events', { headers: { accept: 'text/html' } });
    expect({ status: res.status, body: res.body }).toEqual({ status: 406, body: { error: 'this route answers text/event-stream (and refusals in application/json)' } });
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    const post = await server.request('POST', '/tasks/events', { body: { description: 'x' } });
    expect(post.status).toBe(405);
    expect(post.headers.get('allow')).toBe('GET');
  });

  it('lets go of the subscription when the client disconnects', async () => {
    const reader = await open('/tasks/events');
    expect(server.app.events.stats().subscriptions).toBe(1);
    await reader.close();
    await eventually(() => server.app.events.stats().subscriptions === 0, 'the subscription to end');
  });

  it('is documented in the OpenAPI document as text/event-stream, before /tasks/{id}', async () => {
    const doc = (await server.request('GET', '/api/virtshell/v1/openapi.json')).body;
    const get = doc.paths['/tasks/events'].get;
    expect(Object.keys(get.responses[200].content)).toEqual(['text/event-stream']);
    expect(get.parameters.map((p: any) => `${p.in}:${p.name}`)).toEqual(
      expect.arrayContaining(['query:status', 'query:id', 'query:after', 'header:Last-Event-ID']),
    );
    expect(doc.components.schemas.StatusEvent.required).toEqual(eventKeys);
  });
});

describe.each(databaseKinds())('legacy Server-Sent Events: slow clients and shutdown on %s', (kind) => {
  it('closes the stream of a client that stops reading, and a resume with Last-Event-ID loses nothing', async () => {
    const server = await startServer(kind, { TASKGATE_WS_QUEUE_LIMIT: '5' });
    try {
      // A raw client whose socket stops reading once the first event arrives.
      const url = new URL(`${server.baseUrl}/tasks/events`);
      let firstId: string | undefined;
      let response: IncomingMessage | undefined;
      const ended = new Promise<void>((resolve) => {
        httpRequest(url, { headers: { accept: 'text/event-stream', ...server.signedHeaders('GET', '/tasks/events', undefined, { user: 'reader' }) } }, (res) => {
          response = res;
          let text = '';
          res.on('data', (chunk: Buffer) => {
            text += chunk.toString('utf8');
            const match = /^id: (\d+)$/m.exec(text);
            if (match && !firstId) {
              firstId = match[1];
              res.pause();
            }
          });
          res.on('end', resolve);
          res.on('close', resolve);
        }).end();
      });
      await eventually(() => server.app.events.stats().subscriptions === 1, 'the stream to be subscribed');
      // Big events, until the kernel's socket buffers are full and the bounded queue overflows.
      const log = 'x'.repeat(60_000);
      const ids: string[] = [];
      while (server.app.events.stats().subscriptions > 0 && ids.length < 1000) {
        ids.push((await server.request('POST', '/tasks', { body: { description: `bulk ${ids.length}`, log } })).body.task_id);
      }
      // The server gave up on the stalled stream: its subscription is gone.
      expect(server.app.events.stats().subscriptions).toBe(0);
      response!.resume();
      await ended;
      expect(firstId).toBeDefined();

      const resumed = new SseReader(await server.stream('GET', '/tasks/events', { headers: { accept: 'text/event-stream', 'last-event-id': firstId! } }));
      await resumed.waitFor(ids.length - 1);
      expect(resumed.data.map((e) => e.uuid)).toEqual(ids.slice(1));
      await resumed.close();
    } finally {
      await server.stop();
    }
  });

  it('ends open streams cleanly at shutdown instead of holding the drain up', async () => {
    const server = await startServer(kind, { TASKGATE_SHUTDOWN_TIMEOUT_MS: '30000' });
    const reader = new SseReader(await server.stream('GET', '/tasks/events', { headers: { accept: 'text/event-stream' } }));
    await eventually(() => server.app.events.stats().subscriptions === 1, 'the stream to be subscribed');
    await server.stop();
    // Ended by the server with a proper end of the chunked body, not cut by the shutdown timeout.
    expect(await reader.waitForEnd()).toEqual({});
  });
});
