#!/usr/bin/env node
// `npm test`: builds (some suites start the compiled server), then runs the whole jest suite.
// Suites that need MariaDB/MySQL or Redis run only when TEST_MYSQL_URL / TEST_REDIS_URL are
// set; the last lines say plainly which were skipped and how to turn them on, then the counts.
const { spawnSync } = require('node:child_process');
const { existsSync, mkdtempSync, readFileSync, rmSync } = require('node:fs');
const { tmpdir } = require('node:os');
const { join } = require('node:path');

const root = join(__dirname, '..');
const build = spawnSync(process.execPath, [join(__dirname, 'build-if-needed.js')], { stdio: 'inherit' });
if (build.status !== 0) process.exit(build.status ?? 1);

const skipped = [];
if (!process.env.TEST_MYSQL_URL) skipped.push('MariaDB/MySQL suites SKIPPED: set TEST_MYSQL_URL=mariadb://root@127.0.0.1:3306/test to run them');
if (!process.env.TEST_REDIS_URL) skipped.push('Redis suites SKIPPED: set TEST_REDIS_URL=redis://127.0.0.1:6379 to run them');
for (const line of skipped) console.log(`taskgate tests: ${line}`);

const dir = mkdtempSync(join(tmpdir(), 'taskgate-jest-'));
const summaryFile = join(dir, 'summary.json');
const jest = spawnSync(process.execPath, [require.resolve('jest/bin/jest'), ...process.argv.slice(2)], {
  cwd: root,
  stdio: 'inherit',
  env: { ...process.env, TASKGATE_TEST_SUMMARY: summaryFile },
});
for (const line of skipped) console.log(`taskgate tests: ${line}`);
if (existsSync(summaryFile)) {
  const { passed, failed, skipped: pending } = JSON.parse(readFileSync(summaryFile, 'utf8'));
  console.log(`tests: ${passed} passed, ${failed} failed, ${pending} skipped`);
}
rmSync(dir, { recursive: true, force: true });
process.exit(jest.status ?? 1);
