import { databaseKinds } from '../../helpers/databases';
import { type CostDoors, startCostDoors } from './cost-doors';

/**
 * Issue 13, item 10: the cost limit counts objects, not bytes, and task logs are large (several
 * MiB each). An answer carries at most TASKGATE_MAX_RESPONSE_BYTES of logs: past it the logs are
 * left out (null) and the answer says so with one RESPONSE_TOO_LARGE error, on every door.
 */
describe.each(databaseKinds())('answers bounded in bytes (%s)', (kind) => {
  let doors: CostDoors;
  const logBytes = 60_000;
  beforeAll(async () => {
    doors = await startCostDoors(kind, { NODE_ENV: 'production', TASKGATE_MAX_RESPONSE_BYTES: '200000' });
    // Both servers share nothing: give each the same five tasks with 60 KB logs.
    for (const server of [doors.direct, doors.apollo]) {
      for (let i = 0; i < 5; i++) {
        const created = await server.gql('mutation($input: CreateTaskInput!) { createTask(input: $input) { id } }', { input: { description: `big ${i}`, log: String(i).repeat(logBytes) } });
        expect(created.errors).toBeUndefined();
      }
    }
  });
  afterAll(() => doors?.stop());

  it('cuts an answer at the byte limit with RESPONSE_TOO_LARGE instead of building it whole', async () => {
    const answers = await doors.ask('{ tasks(first: 5) { edges { node { description log } } } }');
    for (const answer of answers) {
      expect(answer.codes).toEqual(['RESPONSE_TOO_LARGE']);
      expect(answer.messages[0]).toMatch(/limit of 200000 bytes/);
      // Three logs fit; the answer holds no more than the limit of them.
      expect(answer.bytes).toBeGreaterThan(3 * logBytes);
      expect(answer.bytes).toBeLessThan(200_000 + 5_000);
    }
  });

  it('cuts it the same once the direct path runs the operation compiled (graphql-jit)', async () => {
    const query = '{ tasks(first: 4) { edges { node { log } } } }';
    for (let i = 0; i < 5; i++) {
      const response = await doors.direct.request('POST', '/graphql', { body: { query }, user: 'reader' });
      expect(response.body.errors.map((e: { extensions: { code: string } }) => e.extensions.code)).toEqual(['RESPONSE_TOO_LARGE']);
      expect(response.body.data.tasks.edges.map((e: { node: { log: string | null } }) => e.node.log?.length ?? null)).toEqual([logBytes, logBytes, logBytes, null]);
    }
    const compiled = (await doors.direct.request('GET', '/metrics')).text.split('\n').find((l) => l.startsWith('taskgate_graphql_http_executions_total{engine="compiled"}'));
    expect(Number(compiled?.split(' ').pop())).toBeGreaterThanOrEqual(2);
  });

  it('answers in full what fits under the limit', async () => {
    for (const answer of await doors.ask('{ tasks(first: 3) { edges { node { log } } } }')) expect(answer).toMatchObject({ status: 200, codes: [], data: true });
  });

  it('meters each answer on its own: one request over the limit does not cut the next', async () => {
    await doors.ask('{ tasks(first: 5) { edges { node { log } } } }');
    for (const answer of await doors.ask('{ tasks(first: 2) { edges { node { log } } } }')) expect(answer).toMatchObject({ status: 200, codes: [] });
  });

  it('refuses a legacy page over the limit with 400 and a reason, and serves a page that fits', async () => {
    const tooLarge = await doors.direct.request('GET', '/api/virtshell/v1/tasks/?limit=5', { user: 'reader' });
    expect(tooLarge.status).toBe(400);
    expect(tooLarge.text).toMatch(/limit of 200000 bytes/);
    const fits = await doors.direct.request('GET', '/api/virtshell/v1/tasks/?limit=3', { user: 'reader' });
    expect(fits.status).toBe(200);
    expect(fits.body.tasks).toHaveLength(3);
  });
});
