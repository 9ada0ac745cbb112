import { databaseKinds } from '../../helpers/databases';
import { eventually } from '../../helpers/eventually';
import { startServer } from '../../helpers/server';

describe.each(databaseKinds())('stopping the app on %s', (kind) => {
  it('finishes a request in flight, then runs the closers in order, then closes the database', async () => {
    const server = await startServer(kind, { TASKGATE_READY_TIMEOUT_MS: '10000' });
    const order: string[] = [];
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let entered!: () => void;
    const inside = new Promise<void>((resolve) => (entered = resolve));
    server.app.readiness.register('slow', async () => {
      entered();
      await gate;
      order.push('request finished');
    });
    server.app.closers.add('websocket', () => {
      order.push(`websocket closer (database open: ${server.app.dataSource.isInitialized})`);
    });
    server.app.closers.add('redis', async () => {
      order.push('redis closer');
    });
    const inFlight = server.request('GET', '/readyz');
    await inside;
    const stopped = server.stop();
    // No new connection is accepted once the stop has begun (while the request above is still in flight).
    await eventually(() => fetch(`${server.baseUrl}/healthz`).then(() => false, () => true), 'new connections to be refused');
    release();
    const response = await inFlight;
    await stopped;
    expect(response.status).toBe(503);
    expect(response.body.failing).toEqual(['shutdown']);
    expect(response.headers.get('connection')).toBe('close');
    expect(order).toEqual(['request finished', 'websocket closer (database open: true)', 'redis closer']);
    expect(server.app.dataSource.isInitialized).toBe(false);
  });

  it('cuts a request that outlives the shutdown timeout, and a closer that fails does not stop the others', async () => {
    const server = await startServer(kind, { TASKGATE_READY_TIMEOUT_MS: '60000', TASKGATE_SHUTDOWN_TIMEOUT_MS: '200' });
    let entered!: () => void;
    const inside = new Promise<void>((resolve) => (entered = resolve));
    server.app.readiness.register('never', () => {
      entered();
      return new Promise<void>(() => undefined);
    });
    const ran: string[] = [];
    server.app.closers.add('broken', () => {
      throw new Error('boom');
    });
    server.app.closers.add('after', () => {
      ran.push('after');
    });
    const inFlight = fetch(`${server.baseUrl}/readyz`).then(
      (r) => `answered ${r.status}`,
      () => 'cut',
    );
    await inside;
    await server.stop();
    expect(await inFlight).toBe('cut');
    expect(ran).toEqual(['after']);
    expect(server.app.dataSource.isInitialized).toBe(false);
  });
});
