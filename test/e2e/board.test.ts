import { createHmac } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import type { Socket } from 'node:net';
import { join } from 'node:path';
import type { Page, Request } from 'playwright-core';
import { type Browser, describeBrowser, launchBrowser, repoRoot } from '../helpers/browser';
import { startServer, type TestServer, testKeys } from '../helpers/server';
import { eventually } from '../helpers/ws-client';
import { defaultPatienceMs } from '../helpers/eventually';

/** The board's globals as code in the page sees them (the tests compile without DOM types). */
interface BoardGlobals {
  taskgateBoard: { stats: { subscribedAfter: (string | null)[]; events: number; loads: number }; lastEventId(): string | null; taskStatus(id: string): string | null };
  taskgateSigning: { useKey(user: string, secret: string): boolean; forgetKey(): void; connectionParams(path: string): Promise<Record<string, string>> };
  document: { querySelector(selector: string): { textContent: string | null } | null };
  __notReloaded?: boolean;
}

describeBrowser('task board')('the live task board in Chromium', () => {
  let server: TestServer;
  let browser: Browser;
  let page: Page;
  const requests: Request[] = [];
  /** Server-side ends of the page's WebSockets, so a test can cut them as a network drop would. */
  const upgraded = new Set<Socket>();

  beforeAll(async () => {
    server = await startServer('sqlite');
    server.app.server.on('upgrade', (_req, socket: Socket) => {
      upgraded.add(socket);
      socket.once('close', () => upgraded.delete(socket));
    });
    browser = await launchBrowser();
    page = browser.page;
    page.on('request', (request) => requests.push(request));
  });
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  async function create(body: Record<string, unknown>): Promise<string> {
    const res = await server.request('POST', '/tasks', { body });
    expect(res.status).toBe(200);
    return res.body.task_id;
  }
  async function put(id: string, body: Record<string, unknown>): Promise<void> {
    expect((await server.request('PUT', `/tasks/${id}`, { body })).status).toBe(200);
  }
  /** Waits until the task's card sits in the column of `status`. */
  async function inColumn(id: string, status: string): Promise<void> {
    await page.waitForSelector(`.column[data-status="${status}"] .card[data-id="${id}"]`, { timeout: defaultPatienceMs });
  }
  async function text(selector: string): Promise<string> {
    return page.evaluate((s) => (globalThis as unknown as BoardGlobals).document.querySelector(s)?.textContent ?? '', selector);
  }

  let moving: string;
  let early: string;
  /** Requests made before a key was pasted (unsigned, refused with 401). */
  let requestsBeforeKey = 0;

  it('loads the tasks into four status columns, with empty states, and goes live', async () => {
    early = await create({ description: 'Back up the database', type: 'backup', status: 'in progress' });
    await page.goto(`${server.baseUrl}/board`);
    // Auth is on: the board shows nothing until a key is pasted; a read key is all it needs.
    await page.fill('#key-user', testKeys.reader.user);
    await page.fill('#key-secret', testKeys.reader.secret);
    // The unsigned attempts before the key was pasted were refused (401), as they should be.
    browser.consoleErrors.length = 0;
    requestsBeforeKey = requests.length;
    await page.click('#key-use');
    await inColumn(early, 'IN_PROGRESS');
    await page.waitForSelector('#connection[data-state="live"]', { timeout: defaultPatienceMs });
    expect(await text('.column[data-status="IN_PROGRESS"] .count')).toBe('1');
    expect(await page.isVisible('.column[data-status="FAILED"] .empty')).toBe(true);
    expect(await text('.column[data-status="FAILED"] .empty')).toBe('No failures');
    expect(await page.isVisible('.column[data-status="IN_PROGRESS"] .empty')).toBe(false);
  });

  it('shows a task created and then updated through the legacy REST API, moving it between columns without a reload', async () => {
    await page.evaluate(() => ((globalThis as unknown as BoardGlobals).__notReloaded = true));
    moving = await create({ description: 'Create instance web-01', type: 'create_instance' });
    await inColumn(moving, 'PENDING');
    await put(moving, { status: 'in progress', log: 'cloning the image' });
    await inColumn(moving, 'IN_PROGRESS');
    await put(moving, { status: 'sucess', log: 'web-01 is up' });
    await inColumn(moving, 'SUCCESS');
    const broken = await create({ description: 'Resize volume data-7', type: 'resize_volume' });
    await put(broken, { status: 'failed', log: 'no space left on the pool' });
    await inColumn(broken, 'FAILED');
    for (let i = 1; i <= 3; i++) await create({ description: `Provision host ${i}`, type: 'provision' });
    await eventually(async () => (await text('.column[data-status="PENDING"] .count')) === '3', 'three pending tasks');
    expect(await page.$$eval(`.card[data-id="${moving}"]`, (cards) => cards.length)).toBe(1);
    expect(await page.evaluate(() => (globalThis as unknown as BoardGlobals).__notReloaded)).toBe(true);
  });

  it('shows the history of a task when it is clicked', async () => {
    await page.click(`.card[data-id="${moving}"]`);
    await page.waitForSelector('#details:not([hidden]) #history li:nth-child(3)', { timeout: defaultPatienceMs });
    expect(await text('#details-title')).toBe('Create instance web-01');
    const history = await page.$$eval('#history li', (items) => items.map((li) => li.textContent ?? ''));
    expect(history).toHaveLength(3);
    expect(history[0]).toContain('created pending');
    expect(history[1]).toContain('pending → in progress');
    expect(history[1]).toContain('cloning the image');
    // The word as the legacy caller wrote it (its column is the success phase).
    expect(history[2]).toContain('in progress → sucess');
    expect(history[2]).toContain('web-01 is up');
    mkdirSync(join(repoRoot, 'test-output'), { recursive: true });
    await page.screenshot({ path: join(repoRoot, 'test-output', 'board.png') });
    await page.click('#details-close');
    expect(await page.isVisible('#details')).toBe(false);
  });

  it('catches up after a network drop by resubscribing after the last event it saw', async () => {
    const seen = await page.evaluate(() => (globalThis as unknown as BoardGlobals).taskgateBoard.lastEventId());
    expect(seen).toMatch(/^\d+$/);
    // The network goes: the browser cannot reconnect, and the server side of the socket is cut.
    await browser.context.setOffline(true);
    for (const socket of upgraded) socket.destroy();
    await page.waitForSelector('#connection[data-state="reconnecting"]', { timeout: defaultPatienceMs });
    // Changes made while the board is away.
    await put(early, { status: 'failed', log: 'disk full' });
    const missed = await create({ description: 'Made while the board was offline', type: 'provision' });
    // Offline, the board cannot have heard of them yet.
    expect(await page.evaluate((id) => (globalThis as unknown as BoardGlobals).taskgateBoard.taskStatus(id), early)).toBe('IN_PROGRESS');
    expect(await page.getAttribute('#connection', 'data-state')).toBe('reconnecting');
    await browser.context.setOffline(false);
    await inColumn(early, 'FAILED');
    await inColumn(missed, 'PENDING');
    await page.waitForSelector('#connection[data-state="live"]', { timeout: defaultPatienceMs });
    const stats = await page.evaluate(() => (globalThis as unknown as BoardGlobals).taskgateBoard.stats);
    // Resumed from the feed after the last event it had, not by loading the list again.
    expect(stats.subscribedAfter.at(-1)).toBe(seen);
    expect(stats.loads).toBe(1);
    // And still live afterwards.
    await put(missed, { status: 'in progress' });
    await inColumn(missed, 'IN_PROGRESS');
  });

  it('made every request to taskgate itself, read the list once and never polled', async () => {
    expect(requests.filter((r) => !r.url().startsWith(server.baseUrl)).map((r) => r.url())).toEqual([]);
    const operations = requests
      .slice(requestsBeforeKey)
      .filter((r) => r.method() === 'POST' && r.url().endsWith('/graphql'))
      .map((r) => /query (\w+)/.exec(JSON.parse(r.postData() ?? '{}').query ?? '')?.[1]);
    expect(operations.filter((name) => name === 'BoardFeedPosition')).toHaveLength(1);
    expect(operations.filter((name) => name === 'BoardTasks')).toHaveLength(1);
    expect(new Set(operations)).toEqual(new Set(['BoardFeedPosition', 'BoardTasks', 'BoardTaskHistory']));
    expect(browser.consoleErrors.filter((e) => !/ERR_INTERNET_DISCONNECTED|WebSocket connection/.test(e))).toEqual([]);
  });

  it('signs its WebSocket connection with a pasted key: HMAC-SHA1 over GRAPHQL-WS, host, date and /graphql', async () => {
    const params = await page.evaluate(async () => {
      (globalThis as unknown as BoardGlobals).taskgateSigning.useKey('alice', 'alice-secret-key');
      try {
        return await (globalThis as unknown as BoardGlobals).taskgateSigning.connectionParams('/graphql');
      } finally {
        (globalThis as unknown as BoardGlobals).taskgateSigning.forgetKey();
      }
    });
    const host = new URL(server.baseUrl).host;
    const expected = createHmac('sha1', 'alice-secret-key').update(['GRAPHQL-WS', host, '', '', params.date, '/graphql'].join('\n'), 'utf8').digest('base64');
    expect(params.authorization).toBe(`alice:${expected}`);
    expect(Math.abs(Date.parse(params.date) - Date.now())).toBeLessThan(15 * 60_000);
  });
});
