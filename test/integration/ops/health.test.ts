import { databaseKinds } from '../../helpers/databases';
import { startServer, type TestServer } from '../../helpers/server';

describe.each(databaseKinds())('health and readiness on %s', (kind) => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startServer(kind);
  });
  afterAll(() => server.stop());

  it('says the process is alive at /healthz', async () => {
    const response = await server.request('GET', '/healthz');
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ status: 'ok' });
    expect(response.headers.get('cache-control')).toBe('no-store');
  });

  it('is ready when the database answers and every migration is applied', async () => {
    const response = await server.request('GET', '/readyz');
    expect(response.status).toBe(200);
    expect(response.body).toEqual({ status: 'ready', checks: { database: { ok: true }, migrations: { ok: true } } });
  });

  it('answers 503 naming the part that fails when a registered check fails, and recovers with it', async () => {
    let redisUp = false;
    server.app.readiness.register('redis', async () => {
      if (!redisUp) throw new Error('the Redis link is down');
    });
    const down = await server.request('GET', '/readyz');
    expect(down.status).toBe(503);
    expect(down.body).toEqual({
      status: 'unavailable',
      failing: ['redis'],
      checks: { database: { ok: true }, migrations: { ok: true }, redis: { ok: false, error: 'the Redis link is down' } },
    });
    redisUp = true;
    const up = await server.request('GET', '/readyz');
    expect(up.status).toBe(200);
    expect(up.body.checks.redis).toEqual({ ok: true });
  });

  it('counts a check that never answers as failing', async () => {
    // Long enough for the real checks on a loaded machine; the stuck one never answers at all.
    const slow = await startServer(kind, { TASKGATE_READY_TIMEOUT_MS: '1000' });
    try {
      slow.app.readiness.register('stuck', () => new Promise<void>(() => undefined));
      const response = await slow.request('GET', '/readyz');
      expect(response.status).toBe(503);
      expect(response.body.failing).toEqual(['stuck']);
      expect(response.body.checks.stuck.error).toBe('no answer within 1000 ms');
    } finally {
      await slow.stop();
    }
  });

  it('refuses other methods than GET on the ops endpoints with 405', async () => {
    for (const path of ['/healthz', '/readyz', '/metrics']) {
      const response = await server.request('POST', path, { body: {} });
      expect(response.status).toBe(405);
      expect(response.headers.get('allow')).toBe('GET, HEAD');
      expect(response.body.error).toMatch(/use GET/);
    }
  });
});

describe.each(databaseKinds())('readiness with migrations left pending on %s', (kind) => {
  it('is not ready and names the pending migration until it is applied', async () => {
    const server = await startServer(kind, { TASKGATE_MIGRATE: 'off' });
    try {
      const response = await server.request('GET', '/readyz');
      expect(response.status).toBe(503);
      expect(response.body.failing).toEqual(['migrations']);
      expect(response.body.checks.migrations.error).toMatch(/^pending migrations: CreateTasks\d+/);
      await server.app.dataSource.runMigrations();
      expect((await server.request('GET', '/readyz')).status).toBe(200);
    } finally {
      await server.stop();
    }
  });
});

describe('readiness while Redis cannot be reached', () => {
  // Nothing listens on port 1: the event link stays down for the whole test.
  const unreachableRedis = { REDIS_URL: 'redis://127.0.0.1:1' };

  it('stays ready (200) and reports redis as degraded, because the instance still serves', async () => {
    const server = await startServer('sqlite', unreachableRedis);
    try {
      const response = await server.request('GET', '/readyz');
      expect(response.status).toBe(200);
      expect(response.body.status).toBe('degraded');
      expect(response.body.degraded).toEqual(['redis']);
      expect(response.body.checks.redis.ok).toBe(false);
      expect(response.body.checks.redis.error).toMatch(/Redis event link is down.*read from the database/);
      // And it does serve: a write goes through.
      const created = await server.gql('mutation { createTask(input: {description: "while Redis is away"}) { id } }');
      expect(created.errors).toBeUndefined();
    } finally {
      await server.stop();
    }
  });

  it('is unready (503, failing redis) with TASKGATE_READY_REQUIRES_REDIS=on', async () => {
    const server = await startServer('sqlite', { ...unreachableRedis, TASKGATE_READY_REQUIRES_REDIS: 'on' });
    try {
      const response = await server.request('GET', '/readyz');
      expect(response.status).toBe(503);
      expect(response.body.failing).toEqual(['redis']);
    } finally {
      await server.stop();
    }
  });
});
