import { databaseKinds } from '../../helpers/databases';
import { captureLogs } from '../../helpers/log-capture';
import { startServer, type TestServer } from '../../helpers/server';
import { eventually } from '../../helpers/ws-client';
import { bare } from './legacy-wire';

/** What an operator sees of a legacy caller: the route's name in the metrics, the reason of each refusal in the log. */
describe.each(databaseKinds())('legacy REST in the request log and metrics on %s', (kind) => {
  let server: TestServer;
  const log = captureLogs();

  beforeAll(async () => {
    server = await startServer(kind, { LOG_LEVEL: 'info' }, { logDestination: log.stream });
  });
  afterAll(async () => {
    await server?.stop();
  });

  const requestLines = () => log.records().filter((r) => r.msg === 'request' && r.door === 'legacy-rest');

  it('says why in the log line of every refusal, and names the route', async () => {
    const id = (await server.request('POST', '/tasks/', { body: bare({ description: 'observed' }) })).body.task_id;
    await server.request('PUT', `/tasks/${id}`, { body: bare({ status: 'error' }) });
    const refusals: [string, string, unknown, number, string, string][] = [
      ['PUT', `/tasks/${id}`, '{"status": ', 400, 'BAD_REQUEST', 'updateTask'],
      ['PUT', `/tasks/${id}`, bare({ status: 'dispatching' }), 409, 'INVALID_TRANSITION', 'updateTask'],
      ['PUT', `/tasks/${id}`, bare({ status: 'bad;word' }), 400, 'BAD_USER_INPUT', 'updateTask'],
      ['GET', '/tasks/11111111-1111-4111-8111-111111111111', undefined, 404, 'TASK_NOT_FOUND', 'getTask'],
      ['DELETE', '/tasks/', undefined, 405, 'METHOD_NOT_ALLOWED', 'deleteAllTasks'],
      ['GET', '/tasks/nope/more', undefined, 404, 'NO_ROUTE', 'noRoute'],
      ['PUT', `/tasks/${id}`, bare({ status: 'x' }), 412, 'VERSION_CONFLICT', 'updateTask'],
    ];
    for (const [method, path, body, status, reason, operation] of refusals) {
      const headers: Record<string, string> = status === 412 ? { 'if-match': '"1"' } : {};
      const res = await server.request(method, path, { body, headers });
      expect({ path, status: res.status }).toEqual({ path, status });
      await eventually(() => requestLines().some((r) => r.status === status && r.reason === reason), `the log line of ${method} ${path}`);
      const line = requestLines().find((r) => r.status === status && r.reason === reason)!;
      expect(line).toMatchObject({ method, operation, reason });
    }
    const unsigned = await server.request('GET', `/tasks/${id}`, { user: false });
    expect(unsigned.status).toBe(401);
    await eventually(() => requestLines().some((r) => r.status === 401), 'the log line of the unsigned request');
    expect(requestLines().find((r) => r.status === 401)!.reason).toEqual(expect.stringMatching(/^[A-Za-z]+$/));
    expect(requestLines().filter((r) => (r.status as number) < 400).every((r) => r.reason === undefined)).toBe(true);
  });

  it('labels the metrics of legacy routes with the route name, never anonymous', async () => {
    await server.request('GET', '/tasks/status/dispatched');
    await server.request('GET', '/tasks/dispatched');
    const text = (await server.request('GET', '/metrics')).text;
    const legacy = text.split('\n').filter((l) => l.startsWith('taskgate_requests_total{') && l.includes('door="legacy-rest"'));
    expect(legacy.length).toBeGreaterThan(0);
    expect(legacy.filter((l) => l.includes('operation="anonymous"'))).toEqual([]);
    expect(legacy.some((l) => l.includes('operation="listTasksByStatus"') && l.includes('status="200"'))).toBe(true);
    expect(legacy.some((l) => l.includes('operation="listTasksByStatusSegment"'))).toBe(true);
    expect(legacy.some((l) => l.includes('operation="updateTask"') && l.includes('status="409"'))).toBe(true);
    expect(text).toMatch(/taskgate_errors_total\{door="legacy-rest",code="INVALID_TRANSITION"\} 1/);
  });
});
