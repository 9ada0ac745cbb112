import { existsSync } from 'node:fs';

/**
 * The one way a suite says what it needs from its environment. Without it a suite is skipped
 * with one line saying how to turn it on, except in CI (`CI=true`, set by .ci/run), where a
 * missing service must fail the run rather than quietly skip it.
 */
export type Need = 'mariadb' | 'redis' | 'chromium';

export const chromiumPath = '/usr/bin/chromium';

const howToTurnOn: Record<Need, string> = {
  mariadb: 'set TEST_MYSQL_URL=mariadb://root@127.0.0.1:3306/test',
  redis: 'set TEST_REDIS_URL=redis://127.0.0.1:6379',
  chromium: `install ${chromiumPath} (apt-get install -y chromium)`,
};

export const inCi = process.env.CI === 'true';

export function has(need: Need): boolean {
  if (need === 'mariadb') return Boolean(process.env.TEST_MYSQL_URL);
  if (need === 'redis') return Boolean(process.env.TEST_REDIS_URL);
  return existsSync(chromiumPath);
}

/** TEST_REDIS_URL, for suites gated on 'redis'. */
export function testRedisUrl(): string {
  const url = process.env.TEST_REDIS_URL;
  if (!url) throw new Error(`this suite needs Redis: ${howToTurnOn.redis}`);
  return url;
}

/** `describe` when every need is met (or in CI), else `describe.skip` and a line saying why. */
export function describeNeeding(needs: Need | Need[], what: string): jest.Describe {
  const missing = ([] as Need[]).concat(needs).filter((need) => !has(need));
  if (missing.length === 0 || inCi) return describe;
  // eslint-disable-next-line no-console
  console.log(`taskgate tests: ${what} SKIPPED: ${missing.map((need) => howToTurnOn[need]).join('; ')}`);
  return describe.skip;
}
