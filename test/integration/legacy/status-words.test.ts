import { databaseKinds } from '../../helpers/databases';
import { startServer, type TestServer } from '../../helpers/server';
import { bare, snapshot } from './legacy-wire';

/** The built-in table: every word of LEGACY-CALLERS.md and the documented four, with its phase. */
const defaults: [string, string][] = [
  ['pending', 'PENDING'],
  ['in progress', 'IN_PROGRESS'],
  ['sucess', 'SUCCESS'],
  ['failed', 'FAILED'],
  ['dispatching', 'IN_PROGRESS'],
  ['dispatched', 'IN_PROGRESS'],
  ['error', 'FAILED'],
  ['received', 'IN_PROGRESS'],
  ['setting up', 'IN_PROGRESS'],
  ['creating', 'IN_PROGRESS'],
  ['created', 'IN_PROGRESS'],
  ['provisioning', 'IN_PROGRESS'],
  ['provisioned', 'SUCCESS'],
  ['registering', 'IN_PROGRESS'],
  ['registered', 'IN_PROGRESS'],
  ['assigning_properties', 'IN_PROGRESS'],
  ['assigned_properties', 'IN_PROGRESS'],
  ['creating_storage', 'IN_PROGRESS'],
  ['storage_created', 'SUCCESS'],
];

describe.each(databaseKinds())('status words and their lifecycle phases on %s', (kind) => {
  let server: TestServer;

  beforeAll(async () => {
    server = await startServer(kind, { TASKGATE_STATUS_PHASES: 'queued=pending,rolled back=failed,dispatched=pending' });
  });
  afterAll(async () => {
    await server?.stop();
  });

  async function create(status: string): Promise<string> {
    const res = await server.request('POST', '/tasks/', { body: bare({ description: `starts ${status}`, status }) });
    expect([res.status, res.body.create]).toEqual([200, 'success']);
    return res.body.task_id;
  }
  const put = (id: string, body: Record<string, unknown>) => server.request('PUT', `/tasks/${id}`, { body: bare(body) });
  async function phaseOf(id: string): Promise<{ status: string; stage: string }> {
    const result = await server.gql(`query($id: ID!) { task(id: $id) { status stage } }`, { id });
    return result.data!.task;
  }

  it.each(defaults.filter(([word]) => word !== 'dispatched'))('puts %s in the %s phase by default', async (word, phase) => {
    // From in progress every phase can be reached; pending is reached by creating with it.
    const id = await create(phase === 'PENDING' ? word : 'in progress');
    if (phase !== 'PENDING') expect((await put(id, { status: word, log: word })).status).toBe(200);
    expect(await phaseOf(id)).toEqual({ status: phase, stage: word });
    expect((await server.request('GET', `/tasks/${id}`)).body.status).toBe(word);
  });

  it('takes a configured phase over the built-in one, and new words from TASKGATE_STATUS_PHASES', async () => {
    const queued = await create('queued');
    expect(await phaseOf(queued)).toEqual({ status: 'PENDING', stage: 'queued' });
    // The dispatcher's poll of pending lists every task waiting, whatever its word.
    expect((await server.request('GET', '/tasks/status/pending')).body.tasks.map((t: any) => t.uuid)).toContain(queued);
    const dispatched = await create('dispatched');
    expect(await phaseOf(dispatched)).toEqual({ status: 'PENDING', stage: 'dispatched' });
    expect((await put(queued, { status: 'rolled back' })).status).toBe(200);
    expect(await phaseOf(queued)).toEqual({ status: 'FAILED', stage: 'rolled back' });
  });

  it('puts an unknown word in progress, stores it as written in lower case, and counts it in a metric', async () => {
    const id = await create('pending');
    expect((await put(id, { status: '  Warming   UP ', log: 'new vocabulary' })).status).toBe(200);
    expect(await phaseOf(id)).toEqual({ status: 'IN_PROGRESS', stage: 'warming up' });
    expect((await put(id, { status: 'warming up', log: 'again' })).status).toBe(200);
    const metrics = (await server.request('GET', '/metrics', { headers: { accept: 'text/plain' } })).text;
    expect(metrics).toContain('taskgate_unknown_status_words_total{word="warming up"} 2');
    expect(metrics).not.toMatch(/taskgate_unknown_status_words_total\{word="(dispatching|provisioned|pending)"\}/);
  });

  it('refuses a phase crossing the machine does not allow (error, then dispatching) with 409 and writes nothing', async () => {
    const id = await create('pending');
    expect((await put(id, { status: 'error', log: 'task not supported' })).status).toBe(200);
    const before = await snapshot(server, id);
    const refused = await put(id, { status: 'dispatching', log: 'once more' });
    const reason = 'a task cannot go from error (failed) to dispatching (in progress)';
    expect([refused.status, refused.body]).toEqual([409, { update: 'error', reason, error: reason }]);
    expect(await snapshot(server, id)).toEqual(before);
    const graphql = await server.gql(`mutation($id: ID!) { updateTask(id: $id, input: { stage: "dispatching" }) { id } }`, { id });
    expect(graphql.errors?.[0]).toMatchObject({
      message: 'a task cannot go from error (FAILED) to dispatching (IN_PROGRESS)',
      extensions: { code: 'INVALID_TRANSITION', from: 'FAILED', to: 'IN_PROGRESS', fromStage: 'error', toStage: 'dispatching' },
    });
    expect(await snapshot(server, id)).toEqual(before);
  });

  it('lets a final task change its word within the phase and its log', async () => {
    const id = await create('in progress');
    expect((await put(id, { status: 'provisioned', log: 'stdout' })).status).toBe(200);
    expect((await put(id, { status: 'sucess', log: 'the same phase' })).status).toBe(200);
    expect((await put(id, { log: 'only the log' })).status).toBe(200);
    expect(await phaseOf(id)).toEqual({ status: 'SUCCESS', stage: 'sucess' });
    expect((await server.request('GET', `/tasks/${id}`)).body).toMatchObject({ status: 'sucess', log: 'only the log' });
    expect((await put(id, { status: 'error' })).status).toBe(409);
  });

  it('keeps the corrected spelling of the documented four: success in, sucess out unless the caller opts in', async () => {
    const id = await create('in progress');
    expect((await put(id, { status: 'success' })).status).toBe(200);
    expect(await phaseOf(id)).toEqual({ status: 'SUCCESS', stage: 'sucess' });
    expect((await server.request('GET', `/tasks/${id}`)).body.status).toBe('sucess');
    expect((await server.request('GET', `/tasks/${id}`, { headers: { 'x-taskgate-status-spelling': 'corrected' } })).body.status).toBe('success');
    const listed = await server.request('GET', '/tasks/status/success', { headers: { 'x-taskgate-status-spelling': 'corrected' } });
    expect(listed.body.tasks.find((t: any) => t.uuid === id).status).toBe('success');
  });

  describe('over GraphQL', () => {
    it('creates and updates with a stage, filters tasks by stage, and refuses a stage of another phase than the status given', async () => {
      const created = await server.gql(`mutation { createTask(input: { description: "graphql words", stage: "Received" }) { id status stage } }`);
      expect(created.data!.createTask).toMatchObject({ status: 'IN_PROGRESS', stage: 'received' });
      const id = created.data!.createTask.id;
      const moved = await server.gql(`mutation($id: ID!) { updateTask(id: $id, input: { stage: "provisioning" }) { status stage } }`, { id });
      expect(moved.data!.updateTask).toEqual({ status: 'IN_PROGRESS', stage: 'provisioning' });
      // status alone keeps the word while the phase stays, and takes the documented word when it changes
      const same = await server.gql(`mutation($id: ID!) { updateTask(id: $id, input: { status: IN_PROGRESS, log: "x" }) { status stage } }`, { id });
      expect(same.data!.updateTask).toEqual({ status: 'IN_PROGRESS', stage: 'provisioning' });
      const listed = await server.gql(`{ tasks(stage: "PROVISIONING") { edges { node { id stage } } totalCount } }`);
      expect(listed.data!.tasks.edges.map((e: any) => e.node.id)).toContain(id);
      expect(listed.data!.tasks.edges.every((e: any) => e.node.stage === 'provisioning')).toBe(true);
      expect(listed.data!.tasks.totalCount).toBe(listed.data!.tasks.edges.length);
      const disagreeing = await server.gql(`mutation($id: ID!) { updateTask(id: $id, input: { status: FAILED, stage: "provisioned" }) { id } }`, { id });
      expect(disagreeing.errors?.[0]).toMatchObject({ message: 'stage: "provisioned" belongs to phase SUCCESS, not FAILED', extensions: { code: 'BAD_USER_INPUT', field: 'stage' } });
      const done = await server.gql(`mutation($id: ID!) { updateTask(id: $id, input: { status: SUCCESS }) { status stage } }`, { id });
      expect(done.data!.updateTask).toEqual({ status: 'SUCCESS', stage: 'sucess' });
      const bad = await server.gql(`{ tasks(stage: "no;such") { totalCount } }`);
      expect(bad.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'stage' });
    });
  });
});
