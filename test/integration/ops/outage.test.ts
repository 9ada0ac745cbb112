import { databaseKinds } from '../../helpers/databases';
import { startServer, type TestServer } from '../../helpers/server';
import { TcpProxy } from '../../helpers/tcp-proxy';

// SQLite is a file in the process: it cannot go down. The outage runs where a network is involved.
const kinds = databaseKinds().filter((k) => k === 'mariadb');
const describeMariadb = kinds.length ? describe : describe.skip;

/** Asks again until `check` passes; the service must come back by itself, no restart. */
async function eventually(check: () => Promise<boolean>, tries = 100): Promise<void> {
  for (let i = 0; i < tries; i++) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error('the condition never held');
}

describeMariadb('a database outage at runtime on mariadb', () => {
  let proxy: TcpProxy;
  let server: TestServer;
  beforeAll(async () => {
    server = await startServer('mariadb', { DATABASE_CONNECT_TIMEOUT_MS: '500' }, {
      async databaseUrl(fresh) {
        const url = new URL(fresh);
        proxy = new TcpProxy(url.hostname, Number(url.port || 3306));
        url.hostname = '127.0.0.1';
        url.port = String(await proxy.start());
        return url.toString();
      },
    });
  });
  afterAll(async () => {
    await proxy.restore();
    await server.stop();
    await proxy.stop();
  });

  it('fails requests with SERVICE_UNAVAILABLE and readiness with 503 while it lasts, then recovers by itself', async () => {
    const before = await server.gql(`mutation { createTask(input: {description: "before the outage", type: "probe"}) { id } }`);
    expect(before.errors).toBeUndefined();
    expect((await server.request('GET', '/readyz')).status).toBe(200);

    await proxy.cut();

    const read = await server.gql('{ tasks { totalCount } }');
    expect(read.errors?.[0].extensions?.code).toBe('SERVICE_UNAVAILABLE');
    expect(read.errors?.[0].message).toBe('the database is unavailable; try again shortly');
    const write = await server.gql(`mutation { createTask(input: {description: "during the outage", type: "probe"}) { id } }`);
    expect(write.errors?.[0].extensions?.code).toBe('SERVICE_UNAVAILABLE');
    // Refused before it runs: the replay guard (in the database without Redis) cannot record its
    // signature, so nothing executes and no data comes back (absent, as for any refused request).
    expect(write.errors?.[0].extensions?.reason).toBe('ReplayGuardUnavailable');
    expect(write.data ?? null).toBeNull();
    const ready = await server.request('GET', '/readyz');
    expect(ready.status).toBe(503);
    expect(ready.body.failing).toEqual(['database']);
    expect((await server.request('GET', '/healthz')).status).toBe(200);

    await proxy.restore();

    await eventually(async () => (await server.request('GET', '/readyz')).status === 200);
    const after = await server.gql('{ tasks { totalCount edges { node { description } } } }');
    expect(after.errors).toBeUndefined();
    // The write refused during the outage left nothing behind.
    expect(after.data?.tasks.edges.map((e: { node: { description: string } }) => e.node.description)).toEqual(['before the outage']);
    const again = await server.gql(`mutation { createTask(input: {description: "after the outage", type: "probe"}) { id } }`);
    expect(again.errors).toBeUndefined();
  });

  it('fails requests with SERVICE_UNAVAILABLE when the database hangs instead of refusing, then recovers by itself', async () => {
    await proxy.blackhole();

    const read = await server.gql('{ tasks { totalCount } }');
    expect(read.errors?.[0].extensions?.code).toBe('SERVICE_UNAVAILABLE');
    const ready = await server.request('GET', '/readyz');
    expect(ready.status).toBe(503);
    expect(ready.body.failing).toEqual(['database']);

    await proxy.restore();

    await eventually(async () => (await server.request('GET', '/readyz')).status === 200);
    expect((await server.gql('{ tasks { totalCount } }')).errors).toBeUndefined();
  });
});
