import { databaseKinds } from '../../helpers/databases';
import { type CostDoors, startCostDoors } from './cost-doors';

/**
 * Issue 13, item 9: `totalCount` cost nothing but runs a COUNT(*) over every matching task; a
 * list's cost must scale with what it returns. A count now costs 1000 (like the largest page):
 * with the cost limit at 1200, one count passes and two in one request are refused on every
 * door, where they used to cost 2.
 */
describe.each(databaseKinds())('the cost of database work (%s)', (kind) => {
  let doors: CostDoors;
  beforeAll(async () => {
    doors = await startCostDoors(kind, { NODE_ENV: 'production', TASKGATE_MAX_COST: '1200' });
  });
  afterAll(() => doors?.stop());

  it('charges totalCount for its COUNT(*): two in one request are over a limit of 1200', async () => {
    for (const answer of await doors.ask('{ a: tasks { totalCount } }')) expect(answer).toMatchObject({ status: 200, data: true });
    for (const answer of await doors.ask('{ a: tasks { totalCount } b: tasks(status: FAILED) { totalCount } }')) {
      expect(answer).toMatchObject({ status: 400, codes: ['QUERY_TOO_COMPLEX'], data: false });
      expect(answer.messages[0]).toMatch(/costs 2002/);
    }
  });

  it('charges a list for every element it can return', async () => {
    for (const answer of await doors.ask('{ tasks(first: 500) { edges { node { id } } } }')) expect(answer).toMatchObject({ status: 200 });
    for (const answer of await doors.ask('{ tasks(first: 500) { edges { node { history(first: 1) { id } } } } }')) {
      expect(answer).toMatchObject({ status: 400, codes: ['QUERY_TOO_COMPLEX'] });
      expect(answer.messages[0]).toMatch(/costs 2002/);
    }
  });

  it('prices the legacy listing too, through the same admission', async () => {
    const page = await doors.direct.request('GET', '/api/virtshell/v1/tasks/?limit=300', { user: 'reader' });
    expect(page.status).toBe(200);
    // 500 tasks with their fields (and pageInfo) cost 1503: over this server's limit of 1200.
    const tooMany = await doors.direct.request('GET', '/api/virtshell/v1/tasks/?limit=500', { user: 'reader' });
    expect(tooMany.status).toBe(400);
    expect(JSON.stringify(tooMany.body)).toMatch(/costs 1503/);
  });
});
