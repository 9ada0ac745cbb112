import { databaseKinds } from '../../helpers/databases';
import { captureLogs } from '../../helpers/log-capture';
import { startServer } from '../../helpers/server';
import { wsClient } from '../../helpers/ws-client';
import { type CostDoors, startCostDoors } from './cost-doors';

/**
 * Issue 13, items 1 and 2: the cost limit must hold whatever the variables say, on every door
 * (POST /graphql on the direct path and on Apollo's, and graphql-ws). A cost that cannot be
 * worked out is a refusal, never "within the limit"; a cost is worked out from the values the
 * operation runs with, @include/@skip included, and a cached cost is never reused for other values.
 */
describe.each(databaseKinds())('the cost limit on every door (%s)', (kind) => {
  let doors: CostDoors;
  beforeAll(async () => {
    doors = await startCostDoors(kind, { NODE_ENV: 'production' });
  });
  afterAll(() => doors?.stop());

  const heavy = 'a: tasks(first: 500) { edges { node { history(first: 500) { task { description } } } } }';

  it('refuses an over-limit operation whose nullable variable with a default is sent as null into a non-null argument', async () => {
    const query = `query Q($id: ID = "00000000-0000-4000-8000-000000000000") { task(id: $id) { id } ${heavy} }`;
    for (const answer of await doors.ask(query, { id: null })) {
      expect(answer).toMatchObject({ status: 400, data: false });
      expect(['QUERY_TOO_COMPLEX', 'BAD_USER_INPUT']).toContain(answer.codes[0]);
    }
    // Without the task field the same listing was always refused.
    for (const answer of await doors.ask(`query Q { ${heavy} }`)) expect(answer).toMatchObject({ status: 400, codes: ['QUERY_TOO_COMPLEX'], data: false });
  });

  it('refuses a variable that cannot be priced even when the rest of the operation is cheap', async () => {
    const query = 'query Q($id: ID = "00000000-0000-4000-8000-000000000000") { task(id: $id) { id } }';
    for (const answer of await doors.ask(query, { id: null })) {
      expect(answer.status).toBe(400);
      expect(answer.codes).toEqual(['BAD_USER_INPUT']);
      expect(answer.messages[0]).toMatch(/"id"/);
    }
  });

  it('prices @include with the value sent, not with the value the document was first priced with', async () => {
    const query = `query Q($x: Boolean!) { lastEventId ${heavy.replace('tasks(first: 500)', 'tasks(first: 500) @include(if: $x)')} }`;
    for (const answer of await doors.ask(query, { x: false })) expect(answer).toMatchObject({ status: 200, codes: [], data: true });
    for (const answer of await doors.ask(query, { x: true })) expect(answer).toMatchObject({ status: 400, codes: ['QUERY_TOO_COMPLEX'], data: false });
    for (const answer of await doors.ask(query.replace('@include', '@skip'), { x: true })) expect(answer).toMatchObject({ status: 200, data: true });
    for (const answer of await doors.ask(query.replace('@include', '@skip'), { x: false })) expect(answer).toMatchObject({ status: 400, codes: ['QUERY_TOO_COMPLEX'] });
  });

  it('prices a list with the page size sent each time, after a cheap size was priced first', async () => {
    const query = 'query P($n: Int) { tasks(first: $n) { edges { node { history(first: 100) { status } } } } }';
    for (const answer of await doors.ask(query, { n: 1 })) expect(answer).toMatchObject({ status: 200, data: true });
    for (const answer of await doors.ask(query, { n: 60 })) expect(answer).toMatchObject({ status: 400, codes: ['QUERY_TOO_COMPLEX'] });
    // An undeclared variable changes nothing: neither the price nor what is cached.
    for (const answer of await doors.ask(query, { n: 60, m: 1 })) expect(answer).toMatchObject({ status: 400, codes: ['QUERY_TOO_COMPLEX'] });
  });

  it('refuses the issue’s 14-alias form of the attack outright', async () => {
    const aliases = Array.from({ length: 14 }, (_, i) => `a${i}: tasks(first: 500) { edges { node { history(first: 500) { task { description } } } } }`).join(' ');
    const query = `query Q($id: ID = "00000000-0000-4000-8000-000000000000") { task(id: $id) { id } ${aliases} }`;
    for (const answer of await doors.ask(query, { id: null })) {
      expect(answer).toMatchObject({ status: 400, data: false });
      expect(answer.bytes).toBeLessThan(2000);
    }
  });
});

describe('refused cost-limit attacks in the log', () => {
  it('are logged below error level and without a stack trace', async () => {
    const logs = captureLogs();
    const server = await startServer('sqlite', { NODE_ENV: 'production', LOG_LEVEL: 'info' }, { logDestination: logs.stream });
    try {
      const query = 'query Q($id: ID = "00000000-0000-4000-8000-000000000000") { task(id: $id) { id } a: tasks(first: 500) { edges { node { id } } } }';
      for (let i = 0; i < 3; i++) expect((await server.gql(query, { id: null }, { user: 'reader' })).status).toBe(400);
      const client = wsClient(server.wsUrl, { connectionParams: server.wsConnectionParams('reader') });
      try {
        await new Promise<void>((resolve) => client.subscribe({ query, variables: { id: null } }, { next: () => undefined, error: () => resolve(), complete: () => resolve() }));
      } finally {
        await client.dispose();
      }
      const records = logs.records();
      expect(records.filter((r) => (r.level as number) >= 50)).toEqual([]);
      expect(JSON.stringify(records)).not.toMatch(/"stack"/);
      // The request log still says what happened.
      expect(records.filter((r) => r.msg === 'request' && r.status === 400 && r.operation === 'Q')).toHaveLength(3);
    } finally {
      await server.stop();
    }
  });
});
