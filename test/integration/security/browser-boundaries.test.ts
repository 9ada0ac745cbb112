import { databaseKinds } from '../../helpers/databases';
import { startServer, type TestServer } from '../../helpers/server';

/**
 * Security regressions (issue 13 low findings, issue 14 item 4): with authentication off a page on
 * another site cannot make a browser write; /metrics can be closed to all but the scraper; CORS
 * lets allowed origins send what the routes read and read what they send.
 */
describe.each(databaseKinds())('with authentication off on %s', (kind) => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startServer(kind, { TASKGATE_AUTH: 'off', TASKGATE_CORS_ORIGINS: 'http://board.example' });
  });
  afterAll(() => server.stop());

  const count = async () => Number((await server.app.dataSource.query('SELECT COUNT(*) AS n FROM tasks'))[0].n);
  // A text/plain POST is a "simple" request: a browser sends it cross-site without a preflight.
  const post = (headers: Record<string, string>) =>
    fetch(`${server.baseUrl}/tasks/`, { method: 'POST', headers: { 'content-type': 'text/plain', ...headers }, body: JSON.stringify({ description: 'from a web page' }) });

  it('refuses a cross-site simple write (text/plain POST from another origin) and writes nothing', async () => {
    const before = await count();
    const foreign = await post({ origin: 'http://evil.example' });
    expect(foreign.status).toBe(403);
    expect(await foreign.json()).toMatchObject({ error: 'CrossSiteRequest', message: expect.stringMatching(/TASKGATE_CORS_ORIGINS/) });
    expect((await post({ 'sec-fetch-site': 'cross-site' })).status).toBe(403);
    expect((await post({ origin: 'null' })).status).toBe(403);
    expect(await count()).toBe(before);
  });

  it('still serves writes from its own pages, allowed origins and callers that are not browsers', async () => {
    const before = await count();
    expect((await post({ origin: server.baseUrl, 'sec-fetch-site': 'same-origin' })).status).toBe(200);
    expect((await post({ origin: 'http://board.example' })).status).toBe(200);
    expect((await post({})).status).toBe(200);
    expect(await count()).toBe(before + 3);
  });

  it('lets an allowed origin send the headers the routes read and read ETag', async () => {
    const preflight = await fetch(`${server.baseUrl}/tasks/events`, {
      method: 'OPTIONS',
      headers: { origin: 'http://board.example', 'access-control-request-method': 'GET', 'access-control-request-headers': 'last-event-id' },
    });
    expect(preflight.status).toBe(204);
    const allowed = preflight.headers.get('access-control-allow-headers')!.split(/,\s*/);
    expect(allowed).toEqual(expect.arrayContaining(['last-event-id', 'if-match', 'if-none-match', 'x-taskgate-status-spelling', 'x-virtshell-authorization', 'x-virtshell-date', 'content-md5']));
    const created = await fetch(`${server.baseUrl}/tasks/`, { method: 'POST', headers: { origin: 'http://board.example' }, body: Buffer.from('{"description":"etag"}') });
    const id = ((await created.json()) as any).task_id;
    const read = await fetch(`${server.baseUrl}/tasks/${id}`, { headers: { origin: 'http://board.example' } });
    expect(read.headers.get('access-control-allow-origin')).toBe('http://board.example');
    expect(read.headers.get('access-control-expose-headers')).toMatch(/etag/i);
    expect(read.headers.get('etag')).toBe('"1"');
  });
});

describe('TASKGATE_METRICS_TOKEN', () => {
  it('answers /metrics only to a scraper with the bearer token', async () => {
    const server = await startServer('sqlite', { TASKGATE_METRICS_TOKEN: 'scrape-me-0123456789' });
    try {
      const open = await fetch(`${server.baseUrl}/metrics`);
      expect(open.status).toBe(401);
      expect(await open.json()).toMatchObject({ error: 'MetricsTokenRequired' });
      expect((await fetch(`${server.baseUrl}/metrics`, { headers: { authorization: 'Bearer wrong' } })).status).toBe(401);
      const scraped = await fetch(`${server.baseUrl}/metrics`, { headers: { authorization: 'Bearer scrape-me-0123456789' } });
      expect(scraped.status).toBe(200);
      expect(await scraped.text()).toContain('taskgate_requests_total');
    } finally {
      await server.stop();
    }
  });
});
