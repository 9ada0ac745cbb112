import { databaseKinds } from '../../helpers/databases';
import { startServer, testKeys, type TestServer } from '../../helpers/server';

const taskFields = 'id description status type objectUuid created { at by } lastUpdate log version';

describe.each(databaseKinds())('GraphQL tasks API on %s', (kind) => {
  let server: TestServer;

  beforeAll(async () => {
    server = await startServer(kind);
  });
  afterAll(async () => {
    await server?.stop();
  });

  async function create(input: Record<string, unknown>) {
    const result = await server.gql(`mutation($input: CreateTaskInput!) { createTask(input: $input) { ${taskFields} } }`, { input });
    return result;
  }

  async function createOk(input: Record<string, unknown>) {
    const result = await create(input);
    expect(result.errors).toBeUndefined();
    return result.data!.createTask;
  }

  async function update(id: string, input: Record<string, unknown>, expectedVersion?: number) {
    return server.gql(
      `mutation($id: ID!, $input: UpdateTaskInput!, $v: Int) { updateTask(id: $id, input: $input, expectedVersion: $v) { ${taskFields} } }`,
      { id, input, v: expectedVersion },
    );
  }

  async function countRows(): Promise<{ tasks: number; events: number }> {
    const [t] = await server.app.dataSource.query('SELECT COUNT(*) AS n FROM tasks');
    const [e] = await server.app.dataSource.query('SELECT COUNT(*) AS n FROM task_events');
    return { tasks: Number(t.n), events: Number(e.n) };
  }

  it('creates a task with a generated lowercase uuid, version 1 and the caller as creator', async () => {
    const task = await createOk({ description: 'clone virtual machine database_01', type: 'create_instance' });
    expect(task.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(task).toMatchObject({ status: 'PENDING', type: 'create_instance', objectUuid: null, log: null, version: 1 });
    expect(task.created.by).toBe(testKeys.writer.user);
    expect(task.created.at).toBe(task.lastUpdate);
    expect(Math.abs(Date.parse(task.created.at) - Date.now())).toBeLessThan(60_000);
  });

  it('keeps a caller-supplied uuid, lowercased, and refuses it a second time', async () => {
    const id = 'AB8076C0-DB91-41E2-82CE-0002A5D5C51B';
    const task = await createOk({ id, description: 'with my own id', status: 'IN_PROGRESS' });
    expect(task.id).toBe(id.toLowerCase());
    const before = await countRows();
    const again = await create({ id: id.toLowerCase(), description: 'same id again' });
    expect(again.errors?.[0].extensions?.code).toBe('TASK_ALREADY_EXISTS');
    expect(await countRows()).toEqual(before);
  });

  it('reads a task back by id, in any case, with millisecond timestamps; null for an unknown id', async () => {
    const created = await createOk({ description: 'read me', log: 'first words', objectUuid: '92D30F0C-8C9C-11E5-8994-FEFF819CDC9F' });
    expect(created.objectUuid).toBe('92d30f0c-8c9c-11e5-8994-feff819cdc9f');
    const found = await server.gql(`query($id: ID!) { task(id: $id) { ${taskFields} } }`, { id: created.id.toUpperCase() });
    expect(found.data!.task).toEqual(created);
    expect(created.created.at).toMatch(/\.\d{3}Z$/);
    const missing = await server.gql(`{ task(id: "00000000-0000-4000-8000-000000000000") { id } }`);
    expect(missing.errors).toBeUndefined();
    expect(missing.data!.task).toBeNull();
  });

  it('refuses a malformed id with BAD_USER_INPUT naming the field', async () => {
    const result = await server.gql(`{ task(id: "not-a-uuid") { id } }`);
    expect(result.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'id' });
  });

  describe('validation: each bad field is named and nothing is written', () => {
    const cases: [string, Record<string, unknown>, string][] = [
      ['an empty description', { description: '' }, 'description'],
      ['a blank description', { description: '   ' }, 'description'],
      ['a description over 1024 characters', { description: 'x'.repeat(1025) }, 'description'],
      ['a type with upper case', { description: 'd', type: 'Create_Instance' }, 'type'],
      ['a type starting with a digit', { description: 'd', type: '1create' }, 'type'],
      ['a type over 64 characters', { description: 'd', type: 'a'.repeat(65) }, 'type'],
      ['an object uuid that is not a uuid', { description: 'd', objectUuid: 'host-7' }, 'objectUuid'],
      ['an id that is not a uuid', { id: '1234', description: 'd' }, 'id'],
      ['a log over 8 MiB', { description: 'd', log: 'x'.repeat(8 * 1024 * 1024 + 1) }, 'log'],
      ['a final status at creation', { description: 'd', status: 'SUCCESS' }, 'status'],
      ['a description with a lone surrogate', { description: 'bad \ud800 text' }, 'description'],
    ];
    it.each(cases)('refuses %s', async (_name, input, field) => {
      const before = await countRows();
      const result = await create(input);
      expect(result.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field });
      expect(result.data?.createTask ?? null).toBeNull();
      expect(await countRows()).toEqual(before);
    });

    it('accepts a description of exactly 1024 characters, emoji counted as one', async () => {
      const task = await createOk({ description: '🚀'.repeat(1024) });
      expect([...task.description]).toHaveLength(1024);
    });

    it('refuses a wrong variable type before anything runs', async () => {
      const result = await create({ description: 42 });
      expect(result.status).toBe(400);
      expect(result.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
    });

    it('refuses an update that changes nothing', async () => {
      const task = await createOk({ description: 'nothing to change' });
      const result = await update(task.id, {});
      expect(result.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input' });
    });
  });

  describe('the state machine', () => {
    const statuses = ['PENDING', 'IN_PROGRESS', 'SUCCESS', 'FAILED'] as const;
    const allowed: Record<string, string[]> = {
      PENDING: ['PENDING', 'IN_PROGRESS', 'FAILED'],
      IN_PROGRESS: ['IN_PROGRESS', 'SUCCESS', 'FAILED'],
      SUCCESS: ['SUCCESS'],
      FAILED: ['FAILED'],
    };
    const pathTo: Record<string, string[]> = {
      PENDING: [],
      IN_PROGRESS: ['IN_PROGRESS'],
      SUCCESS: ['IN_PROGRESS', 'SUCCESS'],
      FAILED: ['FAILED'],
    };
    const matrix = statuses.flatMap((from) => statuses.map((to) => [from, to, allowed[from].includes(to)] as const));

    it.each(matrix)('%s -> %s allowed: %s', async (from, to, ok) => {
      const task = await createOk({ description: `from ${from} to ${to}` });
      let version = 1;
      for (const step of pathTo[from]) {
        const moved = await update(task.id, { status: step });
        expect(moved.errors).toBeUndefined();
        version = moved.data!.updateTask.version;
      }
      const before = await countRows();
      const result = await update(task.id, { status: to, log: `now ${to}` });
      if (ok) {
        expect(result.errors).toBeUndefined();
        expect(result.data!.updateTask).toMatchObject({ status: to, log: `now ${to}`, version: version + 1 });
      } else {
        expect(result.errors?.[0].extensions).toMatchObject({ code: 'INVALID_TRANSITION', from, to });
        expect(await countRows()).toEqual(before);
        const reread = await server.gql(`query($id: ID!) { task(id: $id) { status version log } }`, { id: task.id });
        expect(reread.data!.task).toEqual({ status: from, version, log: null });
      }
    });
  });

  it('updates the log alone, keeping the status, and records it in the history', async () => {
    const task = await createOk({ description: 'log only', status: 'IN_PROGRESS' });
    const result = await update(task.id, { log: '50% copied' });
    expect(result.data!.updateTask).toMatchObject({ status: 'IN_PROGRESS', log: '50% copied', version: 2 });
    expect(Date.parse(result.data!.updateTask.lastUpdate)).toBeGreaterThanOrEqual(Date.parse(task.lastUpdate));
    const history = await server.gql(`query($id: ID!) { task(id: $id) { history { version status previousStatus log by } } }`, { id: task.id });
    expect(history.data!.task.history).toEqual([
      { version: 1, status: 'IN_PROGRESS', previousStatus: null, log: null, by: testKeys.writer.user },
      { version: 2, status: 'IN_PROGRESS', previousStatus: 'IN_PROGRESS', log: '50% copied', by: testKeys.writer.user },
    ]);
  });

  it('answers TASK_NOT_FOUND when updating a task that does not exist', async () => {
    const result = await update('00000000-0000-4000-8000-0000000000ff', { status: 'IN_PROGRESS' });
    expect(result.errors?.[0].extensions?.code).toBe('TASK_NOT_FOUND');
  });

  it('applies an update only at the expected version and writes nothing on a mismatch', async () => {
    const task = await createOk({ description: 'versioned' });
    const first = await update(task.id, { status: 'IN_PROGRESS' }, 1);
    expect(first.data!.updateTask.version).toBe(2);
    const before = await countRows();
    const stale = await update(task.id, { status: 'FAILED' }, 1);
    expect(stale.errors?.[0].extensions).toMatchObject({ code: 'VERSION_CONFLICT', expectedVersion: 1, actualVersion: 2 });
    expect(await countRows()).toEqual(before);
  });

  it('loses no update when 50 writers change one task at once, and keeps its history complete and ordered', async () => {
    const task = await createOk({ description: 'contended', status: 'IN_PROGRESS' });
    const results = await Promise.all(Array.from({ length: 50 }, (_, i) => update(task.id, { log: `writer ${i}` })));
    for (const result of results) expect(result.errors).toBeUndefined();
    const versions = results.map((r) => r.data!.updateTask.version).sort((a, b) => a - b);
    expect(versions).toEqual(Array.from({ length: 50 }, (_, i) => i + 2));
    const after = await server.gql(`query($id: ID!) { task(id: $id) { version log history(first: 100) { version log } } }`, { id: task.id });
    const stored = after.data!.task;
    expect(stored.version).toBe(51);
    expect(stored.history.map((e: { version: number }) => e.version)).toEqual(Array.from({ length: 51 }, (_, i) => i + 1));
    const logs = stored.history.slice(1).map((e: { log: string }) => e.log).sort();
    expect(logs).toEqual(Array.from({ length: 50 }, (_, i) => `writer ${i}`).sort());
    expect(stored.log).toBe(stored.history[50].log);
  });

  it('lets exactly one of several writers win when they all name the same expected version', async () => {
    const task = await createOk({ description: 'race at version 1' });
    const results = await Promise.all(Array.from({ length: 10 }, () => update(task.id, { status: 'IN_PROGRESS' }, 1)));
    const winners = results.filter((r) => !r.errors);
    expect(winners).toHaveLength(1);
    for (const loser of results.filter((r) => r.errors)) expect(loser.errors![0].extensions?.code).toBe('VERSION_CONFLICT');
  });
});
