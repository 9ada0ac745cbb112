import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Request, Response } from 'playwright-core';
import { type Browser, describeBrowser, launchBrowser, repoRoot } from '../helpers/browser';
import { startServer, type TestServer, testKeys } from '../helpers/server';

interface PageGlobals {
  document: { getElementById(id: string): { textContent: string | null; hidden: boolean } | null };
}

const isIntrospection = (request: Request) => request.method() === 'POST' && request.url().endsWith('/graphql') && (request.postData() ?? '').includes('__schema');

describeBrowser('playground schema')('the playground loads the schema for the pasted key', () => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
  });

  async function pasteKey(): Promise<void> {
    await browser.page.fill('#key-user', testKeys.reader.user);
    await browser.page.fill('#key-secret', testKeys.reader.secret);
    await browser.page.click('#key-use');
  }

  async function notice(): Promise<{ hidden: boolean; text: string }> {
    return browser.page.evaluate(() => {
      const element = (globalThis as unknown as PageGlobals).document.getElementById('schema-notice')!;
      return { hidden: element.hidden, text: element.textContent ?? '' };
    });
  }

  it('says to paste a key while unsigned, then fetches the schema again, signed, once a key is pasted', async () => {
    const server: TestServer = await startServer('sqlite');
    try {
      const page = browser.page;
      await page.goto(`${server.baseUrl}/playground`);
      await page.waitForFunction(() => !(globalThis as unknown as PageGlobals).document.getElementById('schema-notice')!.hidden);
      expect((await notice()).text).toMatch(/^Paste an access key id and secret above/);
      const signedIntrospection = page.waitForResponse((response: Response) => isIntrospection(response.request()) && Boolean(response.request().headers()['x-virtshell-authorization']));
      await pasteKey();
      const response = await signedIntrospection;
      expect(response.status()).toBe(200);
      expect(((await response.json()) as { data?: { __schema?: unknown } }).data?.__schema).toBeDefined();
      await page.waitForFunction(() => (globalThis as unknown as PageGlobals).document.getElementById('schema-notice')!.hidden);
      // Docs now open on the schema's root types, with no reload.
      await page.click('.graphiql-sidebar button[aria-label="Show Documentation Explorer"]');
      await page.waitForSelector('.graphiql-doc-explorer >> text=Query', { timeout: 20_000 });
    } finally {
      await server.stop();
    }
  });

  it('says plainly that introspection is off, and which setting turns it on', async () => {
    const server: TestServer = await startServer('sqlite', { TASKGATE_INTROSPECTION: 'off' });
    try {
      const page = browser.page;
      await page.goto(`${server.baseUrl}/playground`);
      await pasteKey();
      await page.waitForFunction(() => /Introspection is off/.test((globalThis as unknown as PageGlobals).document.getElementById('schema-notice')!.textContent ?? ''), undefined, { timeout: 20_000 });
      const shown = await notice();
      expect(shown.hidden).toBe(false);
      expect(shown.text).toContain('TASKGATE_INTROSPECTION=on');
      expect(shown.text).toContain('Queries still run');
      mkdirSync(join(repoRoot, 'test-output'), { recursive: true });
      await page.screenshot({ path: join(repoRoot, 'test-output', 'playground-introspection-off.png') });
    } finally {
      await server.stop();
    }
  });
});
