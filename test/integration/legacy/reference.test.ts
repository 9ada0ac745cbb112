import { databaseKinds } from '../../helpers/databases';
import { startServer, type TestServer, testKeys } from '../../helpers/server';
import { bare, expectLegacyTask } from './legacy-wire';

// The user of the reference's examples: created.by must be the authenticated caller.
const referenceUser = '92d30f0c-8c9c-11e5-8994-feff819cdc9f';
const signed = { accept: 'application/json' };
const referenceKey = { user: referenceUser, secret: 'reference-secret-0123456789', role: 'write' as const };
const prefix = '/api/virtshell/v1';

describe.each(databaseKinds())('the Tasks API reference, replayed on %s', (kind) => {
  let server: TestServer;
  let cloneId: string;
  let containerId: string;

  /** The reference's example calls, made once for the suite; each test below reads what they answered or left. */
  let created: Awaited<ReturnType<TestServer['request']>>;
  let second: Awaited<ReturnType<TestServer['request']>>;
  let updated: Awaited<ReturnType<TestServer['request']>>;

  beforeAll(async () => {
    const keys = [testKeys.writer, testKeys.reader, referenceKey].map((k) => `${k.user}:${k.secret}:${k.role}`).join(',');
    server = await startServer(kind, { TASKGATE_KEYS: keys });
    created = await server.request('POST', `${prefix}/tasks`, {
      headers: signed, credentials: referenceKey,
      body: bare({ description: 'clone virtual machine database_01', status: 'in progress' }),
    });
    cloneId = created.body.task_id;
    second = await server.request('POST', `${prefix}/tasks/`, {
      headers: signed, credentials: referenceKey,
      body: { description: 'create container webserver_09', status: 'in progress', type: 'create_instance', object_uuid: 'A62AD146-CCF4-11E5-9956-625662870761' },
    });
    containerId = second.body.task_id;
    updated = await server.request('PUT', `${prefix}/tasks/${containerId}`, { headers: signed, credentials: referenceKey, body: bare({ status: 'sucess', log: '.....' }) });
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('creates a task from the reference example body and answers {"create": "success", "task_id"}', () => {
    expect(created.status).toBe(200);
    expect(created.headers.get('content-type')).toMatch(/^application\/json/);
    expect(created.body).toEqual({ create: 'success', task_id: expect.stringMatching(/^[0-9a-f-]{36}$/) });
    expect(second.status).toBe(200);
  });

  it('updates with the reference example body ({"status": "sucess", "log"}) and answers {"update": "success"}', () => {
    expect(updated.status).toBe(200);
    expect(updated.body).toEqual({ update: 'success' });
  });

  it('lists every task as {"tasks": [...]} in creation order, shaped as the reference shows', async () => {
    const res = await server.request('GET', `${prefix}/tasks/`, { headers: signed, credentials: referenceKey });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    expect(Object.keys(res.body)).toEqual(['tasks']);
    expect(res.body.tasks.map((t: any) => t.uuid)).toEqual([cloneId, containerId]);
    for (const task of res.body.tasks) expectLegacyTask(task);
    const [clone, container] = res.body.tasks;
    expect(clone).toMatchObject({ description: 'clone virtual machine database_01', status: 'in progress', type: null, object_uuid: null, log: null, created: { by: referenceUser } });
    expect(container).toMatchObject({
      description: 'create container webserver_09',
      status: 'sucess',
      type: 'create_instance',
      object_uuid: 'a62ad146-ccf4-11e5-9956-625662870761',
      log: '.....',
      version: 2,
    });
  });

  it('answers GET /tasks/:id with the task object itself and its version as ETag', async () => {
    const res = await server.request('GET', `${prefix}/tasks/${cloneId}`, { headers: signed, credentials: referenceKey });
    expect(res.status).toBe(200);
    expectLegacyTask(res.body);
    expect(res.body).toMatchObject({ uuid: cloneId, description: 'clone virtual machine database_01', status: 'in progress', created: { by: referenceUser } });
    expect(res.headers.get('etag')).toBe('"1"');
  });

  it('lists by status both as /tasks/:status (the example calls /tasks/sucess) and /tasks/status/:status', async () => {
    for (const path of ['/tasks/sucess', '/tasks/success/', '/tasks/status/sucess', '/tasks/status/success/']) {
      const res = await server.request('GET', `${prefix}${path}`, { headers: signed, credentials: referenceKey });
      expect(res.status).toBe(200);
      expect(res.body.tasks.map((t: any) => t.uuid)).toEqual([containerId]);
      expect(res.body.tasks[0].status).toBe('sucess');
    }
    for (const path of ['/tasks/in%20progress', '/tasks/in progress', '/tasks/status/in%20progress/', '/tasks/IN%20PROGRESS']) {
      const res = await server.request('GET', `${prefix}${path}`, { headers: signed, credentials: referenceKey });
      expect(res.status).toBe(200);
      expect(res.body.tasks.map((t: any) => t.uuid)).toEqual([cloneId]);
    }
    const none = await server.request('GET', `${prefix}/tasks/status/failed`, { headers: signed, credentials: referenceKey });
    expect(none.status).toBe(200);
    expect(none.body).toEqual({ tasks: [] });
  });

  it('serves the same routes at the root, as the original clients call them, trailing slash optional', async () => {
    for (const path of ['/tasks', '/tasks/']) {
      const res = await server.request('GET', path);
      expect(res.status).toBe(200);
      expect(res.body.tasks).toHaveLength(2);
    }
    const one = await server.request('GET', `/tasks/${cloneId}/`);
    expect(one.status).toBe(200);
    expect(one.body.uuid).toBe(cloneId);
  });

  it('accepts ids in upper case and answers in lower case', async () => {
    const res = await server.request('GET', `/tasks/${cloneId.toUpperCase()}`);
    expect(res.status).toBe(200);
    expect(res.body.uuid).toBe(cloneId);
    const update = await server.request('PUT', `/tasks/${cloneId.toUpperCase()}`, { body: { log: 'upper case id' } });
    expect(update.body).toEqual({ update: 'success' });
  });

  it('answers `success` instead of `sucess` only to a caller that opts in', async () => {
    const res = await server.request('GET', `/tasks/${containerId}`, { headers: { 'x-taskgate-status-spelling': 'corrected' } });
    expect(res.body.status).toBe('success');
    const list = await server.request('GET', '/tasks/status/sucess', { headers: { 'x-taskgate-status-spelling': 'corrected' } });
    expect(list.body.tasks[0].status).toBe('success');
  });
});

describe.each(databaseKinds())("the original dispatcher's flow on %s", (kind) => {
  let server: TestServer;

  beforeAll(async () => {
    server = await startServer(kind);
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('creates, polls pending, and reports progress with PUTs that carry no Content-Type', async () => {
    const created = await server.request('POST', '/tasks/', { headers: {}, body: bare({ description: 'restart instance web_01', type: 'restart_instance' }) });
    expect(created.body.create).toBe('success');
    const id = created.body.task_id;

    const pending = await server.request('GET', '/tasks/status/pending');
    expect(pending.status).toBe(200);
    expect(pending.body.tasks.map((t: any) => t.uuid)).toContain(id);

    // status only
    const started = await server.request('PUT', `/tasks/${id}`, { headers: {}, body: bare({ status: 'in progress' }) });
    expect([started.status, started.body]).toEqual([200, { update: 'success' }]);
    // log only
    const logged = await server.request('PUT', `/tasks/${id}`, { headers: {}, body: bare({ log: 'stopping' }) });
    expect([logged.status, logged.body]).toEqual([200, { update: 'success' }]);
    // both
    const done = await server.request('PUT', `/tasks/${id}`, { headers: {}, body: bare({ status: 'sucess', log: 'restarted' }) });
    expect([done.status, done.body]).toEqual([200, { update: 'success' }]);

    const task = await server.request('GET', `/tasks/${id}`);
    expect(task.body).toMatchObject({ uuid: id, status: 'sucess', log: 'restarted', version: 4 });
    expect((await server.request('GET', '/tasks/status/pending')).body.tasks.map((t: any) => t.uuid)).not.toContain(id);

    // the original also kept a status history for every update; it is there through GraphQL
    const history = await server.gql(`query($id: ID!) { task(id: $id) { history { status log } } }`, { id });
    expect(history.data!.task.history).toEqual([
      { status: 'PENDING', log: null },
      { status: 'IN_PROGRESS', log: null },
      { status: 'IN_PROGRESS', log: 'stopping' },
      { status: 'SUCCESS', log: 'restarted' },
    ]);
  });

  it('ignores fields the original ignored and never takes created.by from the body', async () => {
    const created = await server.request('POST', '/tasks', {
      body: { description: 'delete instance', created: { by: 'mallory', at: '1' }, last_update: '1', colour: 'blue' },
    });
    expect(created.status).toBe(200);
    const task = await server.request('GET', `/tasks/${created.body.task_id}`);
    expect(task.body.created.by).toBe(testKeys.writer.user);
    expect(task.body.last_update).not.toBe('1');
  });

  it('uses a uuid given in the create body as the task id', async () => {
    const uuid = 'AB8076C0-DB91-11E2-82CE-0002A5D5C51B';
    const created = await server.request('POST', '/tasks', { body: { uuid, description: 'clone virtual machine database_01' } });
    expect(created.body).toEqual({ create: 'success', task_id: uuid.toLowerCase() });
  });
});

describe.each(databaseKinds())('REST and GraphQL over the same store and rules on %s', (kind) => {
  let server: TestServer;

  beforeAll(async () => {
    server = await startServer(kind);
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('shows a REST change through GraphQL', async () => {
    const id = (await server.request('POST', '/tasks', { body: { description: 'via rest', status: 'in progress' } })).body.task_id;
    await server.request('PUT', `/tasks/${id}`, { body: { status: 'failed', log: 'disk full' } });
    const seen = await server.gql(`query($id: ID!) { task(id: $id) { id status log version description } }`, { id });
    expect(seen.data!.task).toEqual({ id, status: 'FAILED', log: 'disk full', version: 2, description: 'via rest' });
  });

  it('shows a GraphQL change through REST, and refuses over REST what GraphQL refuses', async () => {
    const made = await server.gql(`mutation { createTask(input: { description: "via graphql" }) { id } }`);
    const id = made.data!.createTask.id;
    await server.gql(`mutation($id: ID!) { updateTask(id: $id, input: { status: FAILED, log: "gave up" }) { id } }`, { id });
    const task = await server.request('GET', `/tasks/${id}`);
    expect(task.body).toMatchObject({ uuid: id, status: 'failed', log: 'gave up', version: 2 });
    // FAILED is final for both doors.
    const rest = await server.request('PUT', `/tasks/${id}`, { body: { status: 'in progress' } });
    expect(rest.status).toBe(409);
    const graphql = await server.gql(`mutation($id: ID!) { updateTask(id: $id, input: { status: IN_PROGRESS }) { id } }`, { id });
    expect(graphql.errors![0].extensions!.code).toBe('INVALID_TRANSITION');
  });
});
