import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { type BrowserContext, chromium, type Page } from 'playwright-core';
import { chromiumPath, describeNeeding } from './environment';

export { chromiumPath };
export const repoRoot = resolve(__dirname, '..', '..');
const haveChromium = existsSync(chromiumPath);

/** describeNeeding('chromium', ...) under the name the browser suites know. */
export function describeBrowser(what: string): jest.Describe {
  return describeNeeding('chromium', `${what} browser tests`);
}

export interface Browser {
  context: BrowserContext;
  page: Page;
  /** Console errors and uncaught page errors seen so far. */
  consoleErrors: string[];
  close(): Promise<void>;
}

/** Builds the web assets if needed and opens headless Chromium on a throwaway profile. */
export async function launchBrowser(): Promise<Browser> {
  if (!haveChromium) throw new Error(`CI needs ${chromiumPath}: .ci/run installs it with apt-get install -y chromium`);
  // The pages' assets come from dist/, which the build fills.
  execFileSync(process.execPath, [join(repoRoot, 'scripts', 'build-if-needed.js')], { stdio: 'ignore' });
  const profile = mkdtempSync(join(tmpdir(), 'taskgate-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: chromiumPath,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-quic', '--no-first-run', '--disable-component-update', '--disable-sync'],
    viewport: { width: 1280, height: 800 },
  });
  const page = context.pages()[0] ?? (await context.newPage());
  const consoleErrors: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') consoleErrors.push(message.text());
  });
  page.on('pageerror', (error) => consoleErrors.push(error.message));
  return {
    context,
    page,
    consoleErrors,
    async close() {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}
