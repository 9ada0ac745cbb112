import type { Page } from 'playwright-core';
import { type Browser, describeBrowser, launchBrowser } from '../helpers/browser';
import { freshDatabase, type TestDatabase } from '../helpers/databases';
import { eventually } from '../helpers/ws-client';
import { signedFetch } from '../../src/client';
import { buildOnce, CompiledServer, freePort, readerKey, untilServed, writerKey } from '../integration/clients/compiled-server';

/** What the test page keeps: the ids its plain EventSource delivered, and how often it opened. */
interface FeedPage {
  feed: { ids: string[]; opens: number; url: string };
  taskgateClient: { presign(credentials: { key: string; secret: string }, url: string, options: { expiresIn: number }): Promise<string> };
  EventSource: new (url: string) => { onmessage: ((event: { lastEventId: string }) => void) | null; onopen: (() => void) | null };
}

describeBrowser('event feed')('the SSE feed in Chromium with a plain EventSource', () => {
  let database: TestDatabase;
  let server: CompiledServer;
  let browser: Browser;
  let page: Page;
  const write = signedFetch(writerKey);

  beforeAll(async () => {
    buildOnce();
    database = await freshDatabase('sqlite');
    server = new CompiledServer(database.url, await freePort());
    await server.start();
    browser = await launchBrowser();
    page = browser.page;
  });
  afterAll(async () => {
    await browser?.close();
    await server?.stop('SIGKILL');
    await database?.drop();
  });

  async function createTask(description: string): Promise<void> {
    await untilServed(async () => {
      const response = await write(`${server.baseUrl}/tasks/`, { method: 'POST', body: JSON.stringify({ description }) });
      if (response.status !== 200) throw new Error(`create answered ${response.status}`);
    });
  }
  const ids = () => page.evaluate(() => (globalThis as unknown as FeedPage).feed.ids);

  it('follows the feed on a URL presigned in the page, and resumes by itself after the server restarts and after it is killed', async () => {
    // Any page of taskgate's own origin: the board ships the kit's browser build (window.taskgateClient).
    await page.goto(`${server.baseUrl}/board`);
    await page.evaluate(
      async ({ key, base }) => {
        const g = globalThis as unknown as FeedPage;
        const url = await g.taskgateClient.presign(key, `${base}/tasks/events`, { expiresIn: 900 });
        g.feed = { ids: [], opens: 0, url };
        const source = new g.EventSource(url);
        source.onopen = () => void g.feed.opens++;
        source.onmessage = (event) => void g.feed.ids.push(event.lastEventId);
      },
      { key: readerKey, base: server.baseUrl },
    );
    const url = await page.evaluate(() => (globalThis as unknown as FeedPage).feed.url);
    expect(new URL(url).searchParams.get('X-VirtShell-Key')).toBe(readerKey.key);
    await eventually(async () => (await page.evaluate(() => (globalThis as unknown as FeedPage).feed.opens)) === 1, 'the stream to open');

    for (let i = 0; i < 3; i++) await createTask(`before the restart ${i}`);
    await eventually(async () => (await ids()).length === 3, 'three events');

    await server.stop('SIGTERM');
    // Writes sent while it is down are served once it is back.
    const around = Promise.all([0, 1].map((i) => createTask(`around the restart ${i}`)));
    await server.start();
    await around;
    for (let i = 0; i < 3; i++) await createTask(`after the restart ${i}`);

    await server.stop('SIGKILL');
    await server.start();
    for (let i = 0; i < 3; i++) await createTask(`after the kill ${i}`);

    const stored = await server.storedEventIds();
    await eventually(async () => (await ids()).at(-1) === stored.at(-1), 'the page to catch up with the last stored event');
    expect(await ids()).toEqual(stored);
    // It reopened by itself (Last-Event-ID on the same presigned URL); a kill and a start can fall
    // within one of its retries, so at least once.
    expect(await page.evaluate(() => (globalThis as unknown as FeedPage).feed.opens)).toBeGreaterThanOrEqual(2);
  });
});
