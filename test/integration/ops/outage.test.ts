import { describeNeeding } from '../../helpers/environment';
import { eventually } from '../../helpers/eventually';
import { startServer, type TestServer } from '../../helpers/server';
import { createTask } from '../../helpers/tasks';
import { TcpProxy } from '../../helpers/tcp-proxy';

// SQLite is a file in the process: it cannot go down. The outage runs where a network is involved.
// The service must come back by itself (no restart): the waits below only ask again.
describeNeeding('mariadb', 'the database outage suite')('a database outage at runtime on mariadb', () => {
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
    await createTask(server, { description: 'before the outage', type: 'probe' });
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

    await eventually(async () => (await server.request('GET', '/readyz')).status === 200, 'readiness to recover');
    const after = await server.gql('{ tasks { totalCount edges { node { description } } } }');
    expect(after.errors).toBeUndefined();
    // The write refused during the outage left nothing behind.
    expect(after.data?.tasks.edges.map((e: { node: { description: string } }) => e.node.description)).toEqual(['before the outage']);
    await createTask(server, { description: 'after the outage', type: 'probe' });
  });

  it('fails requests with SERVICE_UNAVAILABLE when the database hangs instead of refusing, then recovers by itself', async () => {
    await proxy.blackhole();

    const read = await server.gql('{ tasks { totalCount } }');
    expect(read.errors?.[0].extensions?.code).toBe('SERVICE_UNAVAILABLE');
    const ready = await server.request('GET', '/readyz');
    expect(ready.status).toBe(503);
    expect(ready.body.failing).toEqual(['database']);

    await proxy.restore();

    await eventually(async () => (await server.request('GET', '/readyz')).status === 200, 'readiness to recover');
    expect((await server.gql('{ tasks { totalCount } }')).errors).toBeUndefined();
  });
});
