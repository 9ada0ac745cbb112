import { createHash, createHmac } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { execFileSync } from 'node:child_process';
import { chromium, type BrowserContext, type Page, type Request } from 'playwright-core';
import { startServer, type TestServer, testKeys } from '../helpers/server';

const root = resolve(__dirname, '..', '..');

/** The page's globals, as seen by code run inside the page (the tests compile without DOM types). */
interface PageGlobals {
  document: { querySelector(selector: string): { textContent: string | null } | null; getElementById(id: string): { textContent: string | null } | null };
  taskgatePlayground: { isSubscription(params: { query: string; operationName?: string }): boolean };
}

const chromiumPath = '/usr/bin/chromium';
const haveChromium = existsSync(chromiumPath);
const inCi = process.env.CI === 'true';

if (!haveChromium && !inCi) {
  console.log(`taskgate tests: playground browser tests SKIPPED: ${chromiumPath} is missing (apt-get install -y chromium)`);
}
// In CI the browser is required: .ci/run installs it, and a missing one fails here.
const describeBrowser = haveChromium || inCi ? describe : describe.skip;

describeBrowser('the offline playground in Chromium', () => {
  let server: TestServer;
  let context: BrowserContext;
  let page: Page;
  let profile: string;
  const requests: Request[] = [];
  const consoleErrors: string[] = [];
  const description = `seen in the playground ${Date.now()}`;

  beforeAll(async () => {
    if (!haveChromium) throw new Error(`CI needs ${chromiumPath}: .ci/run installs it with apt-get install -y chromium`);
    // The page's assets come from dist/playground, which the build fills.
    execFileSync(process.execPath, [join(root, 'scripts', 'build-if-needed.js')], { stdio: 'ignore' });
    server = await startServer('sqlite');
    const created = await server.gql(`mutation($d: String!) { createTask(input: {description: $d, type: "browser_check"}) { id } }`, { d: description });
    expect(created.errors).toBeUndefined();
    profile = mkdtempSync(join(tmpdir(), 'taskgate-chromium-'));
    context = await chromium.launchPersistentContext(profile, {
      executablePath: chromiumPath,
      headless: true,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-quic', '--no-first-run', '--disable-component-update', '--disable-sync'],
      viewport: { width: 1280, height: 800 },
    });
    page = context.pages()[0] ?? (await context.newPage());
    page.on('request', (request) => requests.push(request));
    page.on('console', (message) => {
      if (message.type() === 'error') consoleErrors.push(message.text());
    });
    page.on('pageerror', (error) => consoleErrors.push(error.message));
  });

  afterAll(async () => {
    await context?.close();
    if (profile) rmSync(profile, { recursive: true, force: true });
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
    await page.click('.graphiql-query-editor .CodeMirror');
    await page.keyboard.press('Control+A');
    await page.keyboard.press('Delete');
    await page.keyboard.insertText(operation);
    await page.click('.graphiql-execute-button');
    await page.waitForFunction((text) => (globalThis as unknown as PageGlobals).document.querySelector('.result-window')?.textContent?.includes(text), expected, { timeout: 15_000 });
  }

  it('runs a query typed into it and shows the data, using nothing but its own server', async () => {
    await page.goto(`${server.baseUrl}/playground`);
    await page.waitForSelector('.graphiql-query-editor .CodeMirror', { timeout: 15_000 });
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
});
