import { databaseKinds } from '../../helpers/databases';
import { startServer, type TestServer } from '../../helpers/server';
import { createTask, updateTask } from '../../helpers/tasks';

const listQuery = `query($status: TaskStatus, $type: String, $objectUuid: String, $first: Int, $after: String) {
  tasks(status: $status, type: $type, objectUuid: $objectUuid, first: $first, after: $after) {
    totalCount
    edges { cursor node { id status type objectUuid created { at } } }
    pageInfo { hasNextPage endCursor }
  }
}`;

const hostA = '11111111-1111-4111-8111-111111111111';
const hostB = '22222222-2222-4222-8222-222222222222';

describe.each(databaseKinds())('listing tasks over GraphQL on %s', (kind) => {
  let server: TestServer;
  const created: { id: string; status: string; type: string; objectUuid: string }[] = [];

  beforeAll(async () => {
    server = await startServer(kind);
    // 30 tasks: types alternate, objects alternate in threes, every third moves to IN_PROGRESS.
    for (let i = 0; i < 30; i++) {
      const type = i % 2 ? 'delete_instance' : 'create_instance';
      const objectUuid = Math.floor(i / 3) % 2 ? hostB : hostA;
      const { id } = await createTask(server, { description: `task ${i}`, type, objectUuid });
      let status = 'PENDING';
      if (i % 3 === 0) {
        await updateTask(server, id, { status: 'IN_PROGRESS' });
        status = 'IN_PROGRESS';
      }
      created.push({ id, status, type, objectUuid });
    }
  });
  afterAll(async () => {
    await server?.stop();
  });

  async function allPages(variables: Record<string, unknown>, first: number) {
    const ids: string[] = [];
    const times: string[] = [];
    let after: string | null = null;
    let pages = 0;
    for (;;) {
      const result: any = await server.gql(listQuery, { ...variables, first, after });
      expect(result.errors).toBeUndefined();
      const connection: any = result.data!.tasks;
      for (const edge of connection.edges) {
        ids.push(edge.node.id);
        times.push(edge.node.created.at);
      }
      pages++;
      if (!connection.pageInfo.hasNextPage) break;
      after = connection.pageInfo.endCursor;
    }
    return { ids, times, pages };
  }

  it('pages through every task in creation order, each exactly once, with a total count', async () => {
    const { ids, times, pages } = await allPages({}, 7);
    expect(pages).toBe(5);
    expect(new Set(ids).size).toBe(30);
    expect(ids.sort()).toEqual(created.map((t) => t.id).sort());
    // creation time ascending (ties broken by id)
    const sorted = [...times].sort();
    expect(times).toEqual(sorted);
    const first = await server.gql(listQuery, { first: 7 });
    expect(first.data!.tasks.totalCount).toBe(30);
    expect(first.data!.tasks.edges).toHaveLength(7);
    expect(first.data!.tasks.pageInfo.hasNextPage).toBe(true);
  });

  it('filters by status, type and object, alone and combined', async () => {
    const expectIds = (pick: (t: (typeof created)[number]) => boolean) => created.filter(pick).map((t) => t.id).sort();
    const byStatus = await allPages({ status: 'IN_PROGRESS' }, 4);
    expect(byStatus.ids.sort()).toEqual(expectIds((t) => t.status === 'IN_PROGRESS'));
    const byType = await allPages({ type: 'delete_instance' }, 100);
    expect(byType.ids.sort()).toEqual(expectIds((t) => t.type === 'delete_instance'));
    const combined = await allPages({ status: 'PENDING', type: 'create_instance', objectUuid: hostB }, 2);
    expect(combined.ids.sort()).toEqual(expectIds((t) => t.status === 'PENDING' && t.type === 'create_instance' && t.objectUuid === hostB));
    const count = await server.gql(listQuery, { status: 'PENDING', type: 'create_instance', objectUuid: hostB, first: 1 });
    expect(count.data!.tasks.totalCount).toBe(combined.ids.length);
  });

  it('returns an empty page with no cursor when nothing matches', async () => {
    const result = await server.gql(listQuery, { status: 'SUCCESS' });
    expect(result.data!.tasks).toEqual({ totalCount: 0, edges: [], pageInfo: { hasNextPage: false, endCursor: null } });
  });

  it('caps the page size and refuses a negative one', async () => {
    const big = await server.gql(listQuery, { first: 501 });
    expect(big.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'first' });
    const negative = await server.gql(listQuery, { first: -1 });
    expect(negative.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'first' });
  });

  it('refuses a cursor it did not give out', async () => {
    const result = await server.gql(listQuery, { after: 'bm90IGEgY3Vyc29y' });
    expect(result.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'after' });
  });

  it('loads the history of a whole page in one batch, oldest first', async () => {
    const spy = jest.spyOn(server.app.tasks, 'historyOf');
    const result = await server.gql(`{ tasks(first: 30) { edges { node { id status history { version status previousStatus } } } } }`);
    expect(result.errors).toBeUndefined();
    expect(spy).toHaveBeenCalledTimes(1);
    spy.mockRestore();
    for (const edge of result.data!.tasks.edges) {
      const expected = created.find((t) => t.id === edge.node.id)!;
      const history = edge.node.history;
      expect(history[0]).toEqual({ version: 1, status: 'PENDING', previousStatus: null });
      if (expected.status === 'IN_PROGRESS') expect(history[1]).toEqual({ version: 2, status: 'IN_PROGRESS', previousStatus: 'PENDING' });
      else expect(history).toHaveLength(1);
    }
  });
});
