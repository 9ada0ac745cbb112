import { databaseKinds } from '../../helpers/databases';
import { startServer, type TestServer } from '../../helpers/server';
import { Collected, eventually, wsClient } from '../../helpers/ws-client';

/** The value of one sample line, e.g. sample(text, 'taskgate_requests_total', {door: 'graphql-http'}). */
function sample(text: string, name: string, labels: Record<string, string>): number | undefined {
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
    const labelText = line.slice(name.length).split(' ')[0];
    if (Object.entries(labels).every(([k, v]) => labelText.includes(`${k}="${v}"`))) return Number(line.split(' ').pop());
  }
  return undefined;
}

describe.each(databaseKinds())('metrics on %s', (kind) => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startServer(kind);
  });
  afterAll(() => server.stop());

  it('counts requests, latency and errors per door and operation after traffic', async () => {
    const create = await server.gql(`mutation CreateOne { createTask(input: {description: "metrics", type: "probe"}) { id } }`);
    expect(create.errors).toBeUndefined();
    for (let i = 0; i < 3; i++) expect((await server.gql('query ListTasks { tasks { totalCount } }')).data?.tasks.totalCount).toBe(1);
    const bad = await server.gql('query BadId { task(id: "not-a-uuid") { id } }');
    expect(bad.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
    await server.request('GET', '/no-such-path');

    const response = await server.request('GET', '/metrics');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    const text: string = response.text;
    expect(sample(text, 'taskgate_requests_total', { door: 'graphql-http', operation: 'ListTasks', status: '200' })).toBe(3);
    expect(sample(text, 'taskgate_requests_total', { door: 'graphql-http', operation: 'CreateOne', status: '200' })).toBe(1);
    expect(sample(text, 'taskgate_request_duration_seconds_count', { door: 'graphql-http', operation: 'ListTasks' })).toBe(3);
    expect(sample(text, 'taskgate_request_duration_seconds_bucket', { door: 'graphql-http', operation: 'ListTasks', le: '+Inf' })).toBe(3);
    expect(sample(text, 'taskgate_errors_total', { door: 'graphql-http', code: 'BAD_USER_INPUT' })).toBe(1);
    expect(sample(text, 'taskgate_errors_total', { door: 'other', code: 'HTTP_404' })).toBe(1);
    expect(sample(text, 'taskgate_db_pool_connections', { state: 'max' })).toBe(kind === 'sqlite' ? 1 : 10);
    const open = sample(text, 'taskgate_db_pool_connections', { state: 'open' })!;
    expect(open).toBeGreaterThanOrEqual(1);
    // In use: present, and never more than are open.
    const inUse = sample(text, 'taskgate_db_pool_connections', { state: 'in_use' });
    expect(inUse).toEqual(expect.any(Number));
    expect(inUse).toBeLessThanOrEqual(open);
    expect(text).toMatch(/^process_cpu_user_seconds_total /m);
  });

  it('shows open WebSockets, active subscriptions, and events published and delivered by the live feeds', async () => {
    const scrape = async () => {
      const text: string = (await server.request('GET', '/metrics')).text;
      return {
        connections: sample(text, 'taskgate_websocket_connections', {}),
        subscriptions: sample(text, 'taskgate_subscriptions_active', {}),
        published: sample(text, 'taskgate_events_published_total', {}) ?? 0,
        delivered: sample(text, 'taskgate_events_delivered_total', {}) ?? 0,
      };
    };
    const before = await scrape();
    expect(before.connections).toBe(0);
    expect(before.subscriptions).toBe(0);

    const client = wsClient(server.wsUrl);
    const two = wsClient(server.wsUrl);
    try {
      const statusFeed = new Collected(client, 'subscription { taskStatusChanged { id status } }');
      const allFeed = new Collected(two, 'subscription { taskUpdated { id status } }');
      await eventually(() => server.app.events.stats().subscriptions === 2, 'two subscriptions on the server');
      const during = await scrape();
      expect(during.connections).toBe(2);
      expect(during.subscriptions).toBe(2);

      const created = await server.gql(`mutation { createTask(input: {description: "watched", type: "probe"}) { id } }`);
      const id = created.data!.createTask.id as string;
      expect((await server.gql(`mutation($id: ID!) { updateTask(id: $id, input: {status: IN_PROGRESS}) { id } }`, { id })).errors).toBeUndefined();
      expect((await server.gql(`mutation($id: ID!) { updateTask(id: $id, input: {log: "log only"}) { id } }`, { id })).errors).toBeUndefined();
      await statusFeed.waitFor(2);
      await allFeed.waitFor(3);

      const after = await scrape();
      // Three commits; the status feed takes the two status changes, the update feed all three.
      expect(after.published - before.published).toBe(3);
      expect(after.delivered - before.delivered).toBe(5);
    } finally {
      await Promise.all([client.dispose(), two.dispose()]);
    }
    await eventually(async () => {
      const closed = await scrape();
      return closed.connections === 0 && closed.subscriptions === 0;
    }, 'the gauges to fall back to zero once the sockets close');
  });

  it('keeps client-chosen operation names from growing the label set without bound', () => {
    for (let i = 0; i < 250; i++) server.app.metrics.operationLabel(`Op${i}`);
    expect(server.app.metrics.operationLabel('OneMore')).toBe('other');
    expect(server.app.metrics.operationLabel('not a name!')).toBe('other');
    expect(server.app.metrics.operationLabel(undefined)).toBe('anonymous');
  });

  it('answers 404 at /metrics when metrics are turned off', async () => {
    const quiet = await startServer(kind, { TASKGATE_METRICS: 'off' });
    try {
      expect((await quiet.request('GET', '/metrics')).status).toBe(404);
    } finally {
      await quiet.stop();
    }
  });
});
