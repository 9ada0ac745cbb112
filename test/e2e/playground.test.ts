import { createHash, createHmac } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { BrowserContext, Page, Request } from 'playwright-core';
import { type Browser, describeBrowser, launchBrowser, repoRoot as root } from '../helpers/browser';
import { startServer, type TestServer, testKeys } from '../helpers/server';
import { eventually } from '../helpers/ws-client';
import { defaultPatienceMs } from '../helpers/eventually';

/** The page's globals, as seen by code run inside the page (the tests compile without DOM types). */
interface PageGlobals {
  document: { querySelector(selector: string): { textContent: string | null } | null; getElementById(id: string): { textContent: string | null } | null };
  taskgatePlayground: { isSubscription(params: { query: string; operationName?: string }): boolean };
}

describeBrowser('playground')('the offline playground in Chromium', () => {
  let server: TestServer;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let consoleErrors: string[] = [];
  let taskId: string;
  const requests: Request[] = [];
  const wsFrames: string[] = [];
  const description = `seen in the playground ${Date.now()}`;

  beforeAll(async () => {
    server = await startServer('sqlite');
    const created = await server.gql(`mutation($d: String!) { createTask(input: {description: $d, type: "browser_check"}) { id } }`, { d: description });
    expect(created.errors).toBeUndefined();
    taskId = created.data!.createTask.id;
    browser = await launchBrowser();
    ({ context, page, consoleErrors } = browser);
    page.on('request', (request) => requests.push(request));
    page.on('websocket', (socket) => socket.on('framesent', (frame) => wsFrames.push(String(frame.payload))));
  });

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  /** Pastes a key into the key bar, as a person would, so the page signs what it sends. */
  async function useKey(user: string, secret: string): Promise<void> {
    await page.fill('#key-user', user);
    await page.fill('#key-secret', secret);
    await page.click('#key-use');
    await page.waitForFunction((name) => (globalThis as unknown as PageGlobals).document.getElementById('key-status')?.textContent?.includes(`Signing requests as ${name}`), user);
  }

  /** Types an operation into the query editor as a person would, runs it, and waits for `expected` in the result. */
  async function run(operation: string, expected: string): Promise<void> {
    await start(operation);
    await waitForResult(expected);
  }
  async function start(operation: string): Promise<void> {
    await page.click('.graphiql-query-editor .CodeMirror');
    await page.keyboard.press('Control+A');
    await page.keyboard.press('Delete');
    await page.keyboard.insertText(operation);
    await page.click('.graphiql-execute-button');
  }
  async function waitForResult(expected: string): Promise<void> {
    await page.waitForFunction((text) => (globalThis as unknown as PageGlobals).document.querySelector('.result-window')?.textContent?.includes(text), expected, { timeout: defaultPatienceMs });
  }

  it('runs a query typed into it and shows the data, using nothing but its own server', async () => {
    await page.goto(`${server.baseUrl}/playground`);
    await page.waitForSelector('.graphiql-query-editor .CodeMirror', { timeout: defaultPatienceMs });
    // Before a key is pasted the page's unsigned schema fetch is refused (401): auth is on.
    consoleErrors.length = 0;
    await useKey(testKeys.writer.user, testKeys.writer.secret);
    await run('query FindTasks { tasks(type: "browser_check") { totalCount edges { node { description status } } } }', description);
    const result = await page.evaluate(() => (globalThis as unknown as PageGlobals).document.querySelector('.result-window')?.textContent ?? '');
    expect(result).toContain('"totalCount": 1');
    expect(result).toContain('"status": "PENDING"');
    mkdirSync(join(root, 'test-output'), { recursive: true });
    await page.screenshot({ path: join(root, 'test-output', 'playground.png') });
    // Offline: every request the page made went to taskgate itself, none to a CDN.
    expect(requests.length).toBeGreaterThan(0);
    expect(requests.filter((r) => !r.url().startsWith(server.baseUrl)).map((r) => r.url())).toEqual([]);
    expect(consoleErrors).toEqual([]);
  });

  it('signs requests with a pasted key: HMAC-SHA1 over method, host, Content-MD5, Content-Type, date and path', async () => {
    await useKey(testKeys.reader.user, testKeys.reader.secret);
    const sent = page.waitForRequest((r) => r.method() === 'POST' && (r.postData() ?? '').includes('SignedTasks'));
    await run('query SignedTasks { tasks(type: "browser_check") { totalCount } }', '"totalCount": 1');
    const request = await sent;
    const headers = request.headers();
    const body = request.postData() ?? '';
    const md5 = createHash('md5').update(body, 'utf8').digest('base64');
    expect(headers['content-md5']).toBe(md5);
    expect(headers['content-type']).toBe('application/json');
    const date = headers['x-virtshell-date'];
    expect(date).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    expect(Math.abs(Date.parse(date) - Date.now())).toBeLessThan(15 * 60_000);
    const host = new URL(server.baseUrl).host;
    const expected = createHmac('sha1', testKeys.reader.secret).update(['POST', host, md5, 'application/json', date, '/graphql'].join('\n'), 'utf8').digest('base64');
    expect(headers['x-virtshell-authorization']).toBe(`${testKeys.reader.user}:${expected}`);
  });

  it('sends subscriptions over the WebSocket link and everything else over HTTP', async () => {
    const kinds = await page.evaluate(() => {
      const p = (globalThis as unknown as PageGlobals).taskgatePlayground;
      return [
        p.isSubscription({ query: 'subscription { taskStatusChanged { id } }' }),
        p.isSubscription({ query: '# watch\nsubscription Watch { taskStatusChanged { id } }' }),
        p.isSubscription({ query: 'query A { tasks { totalCount } }\nsubscription B { taskStatusChanged { id } }', operationName: 'B' }),
        p.isSubscription({ query: 'query A { tasks { totalCount } }\nsubscription B { taskStatusChanged { id } }', operationName: 'A' }),
        p.isSubscription({ query: '{ tasks { totalCount } }' }),
      ];
    });
    expect(kinds).toEqual([true, true, true, false, false]);
  });

  it('runs a subscription typed into it over WebSocket and shows an event that a REST update causes', async () => {
    // Signed with the key pasted above: the connection carries it in connectionParams.
    await start(`subscription WatchBrowserTask { taskStatusChanged(id: "${taskId}") { id status previousStatus log task { description } } }`);
    await eventually(() => server.app.events.stats().subscriptions === 1, 'the playground subscription on the server');
    const put = await server.request('PUT', `/tasks/${taskId}`, { body: { status: 'in progress', log: 'moved by REST' } });
    expect(put.status).toBe(200);
    await waitForResult('moved by REST');
    const result = await page.evaluate(() => (globalThis as unknown as PageGlobals).document.querySelector('.result-window')?.textContent ?? '');
    expect(result).toContain('"status": "IN_PROGRESS"');
    expect(result).toContain('"previousStatus": "PENDING"');
    expect(result).toContain(description);
    // The connection was signed with the handshake's own verb: GRAPHQL-WS, host, no body, date (ISO, milliseconds), /graphql.
    const init = wsFrames.map((f) => JSON.parse(f)).find((m) => m.type === 'connection_init');
    const { authorization, date } = init.payload;
    const host = new URL(server.baseUrl).host;
    const expected = createHmac('sha1', testKeys.reader.secret).update(['GRAPHQL-WS', host, '', '', date, '/graphql'].join('\n'), 'utf8').digest('base64');
    expect(authorization).toBe(`${testKeys.reader.user}:${expected}`);
    expect(date).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    expect(Math.abs(Date.parse(date) - Date.now())).toBeLessThan(15 * 60_000);
    // Stopping it (the run button doubles as stop) lets go of the subscription on the server.
    await page.click('.graphiql-execute-button');
    await eventually(() => server.app.events.stats().subscriptions === 0, 'the subscription to end when stopped');
    expect(consoleErrors).toEqual([]);
  });
});
