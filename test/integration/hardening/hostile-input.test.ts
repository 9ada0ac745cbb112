import { startServer, type TestServer } from '../../helpers/server';
import { graphqlHttpDoor, type Seeded } from './doors/graphql-http';
import { agent, type HostileDoor, runAll } from './hostile-kit';

/**
 * At least 10,000 generated hostile inputs, seeded and deterministic. Doors are pluggable: the
 * GraphQL-over-HTTP door is here; the legacy REST and WebSocket doors add theirs to `doors`
 * (see doors/). Every input must get an answer below 500 (or a clean refusal by the HTTP
 * parser), never an internal error, and the tasks and their history must be exactly as before.
 */
const seed = Number(process.env.HOSTILE_SEED ?? 20240501);
const total = 10_000;

describe('hostile input', () => {
  let server: TestServer;
  let seeded: Seeded;

  beforeAll(async () => {
    server = await startServer('sqlite');
    const create = async (status: string) =>
      (await server.gql(`mutation { createTask(input: {description: "seeded ${status}", status: ${status}}) { id } }`)).data!.createTask.id as string;
    const pending = await create('PENDING');
    const final = await create('IN_PROGRESS');
    await server.gql(`mutation { updateTask(id: "${final}", input: {status: SUCCESS}) { id } }`);
    seeded = { pending, final };
  });
  afterAll(async () => {
    agent.destroy();
    await server.stop();
  });

  const snapshot = async () => ({
    tasks: await server.app.dataSource.query('SELECT * FROM tasks ORDER BY uuid'),
    events: await server.app.dataSource.query('SELECT * FROM task_events ORDER BY id'),
  });

  it(`answers ${total} generated bad inputs without a 5xx, a crash or a write`, async () => {
    const before = await snapshot();
    const doors: HostileDoor[] = [graphqlHttpDoor(server, seeded, total, seed)];
    const results = await runAll(doors, 8);

    const byStatus = new Map<number, number>();
    for (const { outcome } of results) byStatus.set(outcome.status, (byStatus.get(outcome.status) ?? 0) + 1);
    const failures = results.filter(({ outcome }) => outcome.status >= 500 || outcome.status === -1 || /INTERNAL_SERVER_ERROR|stacktrace/.test(outcome.body));
    const served = results.filter(({ outcome }) => outcome.status >= 200 && outcome.status < 300 && /"data":\{"(createTask|updateTask)"/.test(outcome.body));
    // eslint-disable-next-line no-console
    console.log(
      `hostile input: ${results.length} inputs (seed ${seed}) across ${doors.map((d) => `${d.name} ${d.cases}`).join(', ')}; ` +
        `statuses ${[...byStatus].sort(([a], [b]) => a - b).map(([s, n]) => `${s}:${n}`).join(' ')}; ${failures.length} failures`,
    );
    expect(results.length).toBeGreaterThanOrEqual(10_000);
    expect(failures.slice(0, 5)).toEqual([]);
    expect(served).toEqual([]);
    expect(await snapshot()).toEqual(before);
    // Still alive and still serving legitimate, signed requests.
    expect((await server.gql('{ tasks { totalCount } }')).data).toEqual({ tasks: { totalCount: 2 } });
  });
});
