import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { type BrowserContext, chromium, type Page } from 'playwright-core';

export const repoRoot = resolve(__dirname, '..', '..');
export const chromiumPath = '/usr/bin/chromium';
const haveChromium = existsSync(chromiumPath);
const inCi = process.env.CI === 'true';

/**
 * `describe` when Chromium is there (or in CI, where a missing one must fail), else a skip with
 * a line saying how to turn the browser tests on.
 */
export function describeBrowser(what: string): jest.Describe {
  if (!haveChromium && !inCi) console.log(`taskgate tests: ${what} browser tests SKIPPED: ${chromiumPath} is missing (apt-get install -y chromium)`);
  return haveChromium || inCi ? describe : describe.skip;
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
