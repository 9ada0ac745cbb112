import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { repoRoot as root, runTaskgate } from '../../helpers/taskgate-command';

const taskgate = runTaskgate;

// Each test starts the command several times (a new node process each, seconds apiece when the
// machine is busy: up to a minute per test was measured beside stress-ng), so a generous ceiling.
jest.setTimeout(5 * 60_000);

describe('the taskgate command', () => {
  let dir: string;
  beforeAll(() => {
    execFileSync(process.execPath, [join(root, 'scripts', 'build-if-needed.js')], { stdio: 'ignore' });
    dir = mkdtempSync(join(tmpdir(), 'taskgate-cli-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('lists its commands with --help and exits 0', async () => {
    const run = await taskgate(['--help']);
    expect(run.code).toBe(0);
    for (const command of ['serve', 'migrate', 'keys', 'sign', 'call']) expect(run.stdout).toMatch(new RegExp(`^  ${command}\\b`, 'm'));
    expect(run.stdout).toContain('DATABASE_URL');
  });

  it('has --help on every command', async () => {
    for (const args of [['serve'], ['migrate'], ['keys'], ['keys', 'create'], ['keys', 'list'], ['keys', 'revoke'], ['sign'], ['call']]) {
      const run = await taskgate([...args, '--help']);
      expect({ args, code: run.code }).toEqual({ args, code: 0 });
      expect(run.stdout).toContain(`Usage: taskgate ${args.join(' ')}`);
    }
  });

  it('refuses an unknown flag or command with exit code 2 and says what was wrong', async () => {
    const flag = await taskgate(['migrate', '--dry-rnu']);
    expect(flag.code).toBe(2);
    expect(flag.stderr).toContain("unknown option '--dry-rnu'");
    expect(flag.stderr).toContain('--dry-run');
    const command = await taskgate(['migrat']);
    expect(command.code).toBe(2);
    expect(command.stderr).toContain("unknown command 'migrat'");
    expect(command.stderr).toContain('migrate');
  });

  it('lists pending migrations with migrate --dry-run without applying them, then applies them', async () => {
    const env = { DATABASE_URL: `sqlite:${join(dir, 'cli.db')}` };
    const dry = await taskgate(['migrate', '--dry-run'], env);
    expect(dry).toMatchObject({ code: 0 });
    expect(dry.stdout).toMatch(/^pending migrations:\n  CreateTasks\d+\n(  \w+\n)*$/);
    expect((await taskgate(['migrate', '--dry-run'], env)).stdout).toMatch(/^pending migrations:/);
    const apply = await taskgate(['migrate'], env);
    expect(apply.code).toBe(0);
    expect(apply.stdout).toMatch(/^applied:\n  CreateTasks\d+\n(  \w+\n)*$/);
    const after = await taskgate(['migrate', '--dry-run'], env);
    expect(after.stdout).toBe('no pending migrations\n');
  });

  it('says so with exit code 1 when the database cannot be reached', async () => {
    const run = await taskgate(['migrate'], { DATABASE_URL: 'mysql://tg:secret-pw@127.0.0.1:1/taskgate' });
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/^taskgate migrate failed: /);
    expect(run.stderr).not.toContain('secret-pw');
  });

  it('creates, lists and revokes access keys, printing a secret only once', async () => {
    const env = { DATABASE_URL: `sqlite:${join(dir, 'keys.db')}`, TASKGATE_MASTER_KEY: 'rV3u1Qm0yq9o1b9JZ8Lq3d2m7WcXx0b1T5nQy4eHk2A=' };
    expect((await taskgate(['migrate'], env)).code).toBe(0);
    const created = await taskgate(['keys', 'create', '--user', 'deployer', '--role', 'read'], env);
    expect(created.code).toBe(0);
    const id = /created read key (\S+) for deployer/.exec(created.stdout)?.[1];
    const secret = /secret \(shown this once\): (\S+)/.exec(created.stdout)?.[1];
    expect(id).toBeDefined();
    expect(secret).toBeDefined();
    const listed = await taskgate(['keys', 'list'], env);
    expect(listed.code).toBe(0);
    expect(listed.stdout).toContain(`${id}\tdeployer\tread\t`);
    expect(listed.stdout).not.toContain(secret as string);
    expect((await taskgate(['keys', 'revoke', id as string], env)).code).toBe(0);
    expect((await taskgate(['keys', 'list'], env)).stdout).toMatch(new RegExp(`${id}\\tdeployer\\tread\\t\\S+\\trevoked `));
    const again = await taskgate(['keys', 'revoke', id as string], env);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain(`no active key ${id}`);
  });

  it('refuses key and signing commands with missing or bad flags with exit code 2', async () => {
    const env = { DATABASE_URL: `sqlite:${join(dir, 'keys.db')}` };
    for (const args of [['keys', 'create'], ['keys', 'create', '--user', 'x', '--role', 'admin'], ['keys', 'revoke'], ['sign', 'GET'], ['sign', 'GET', 'http://localhost:4000/tasks/'], ['call', 'GET']]) {
      const run = await taskgate(args, env);
      expect({ args, code: run.code }).toEqual({ args, code: 2 });
      expect(run.stderr).not.toBe('');
    }
  });

  it('prints the signed headers of a request with sign', async () => {
    const run = await taskgate(['sign', 'POST', 'http://localhost:4000/api/virtshell/v1/tasks/', '--data', '{"description":"x"}', '--user', 'u', '--secret', 's']);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^X-VirtShell-Authorization: u:[A-Za-z0-9+/]{27}=$/m);
    expect(run.stdout).toMatch(/^Content-MD5: [A-Za-z0-9+/]{22}==$/m);
    // Signing version 2: a millisecond date, so identical writes in one second sign differently.
    expect(run.stdout).toMatch(/^X-VirtShell-Date: \d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/m);
  });
});

describe('configuration errors at start', () => {
  it.each([
    ['PORT', 'not-a-port', /^PORT: /m],
    ['DATABASE_URL', 'postgres://x', /^DATABASE_URL: expected sqlite:<path>, sqlite::memory:, mysql:\/\/\.\.\. or mariadb:\/\/\.\.\./m],
    ['LOG_LEVEL', 'loud', /^LOG_LEVEL: must be one of the possible values: \["fatal","error","warn","info","debug","trace","silent"\]/m],
    ['TASKGATE_SHUTDOWN_TIMEOUT_MS', '-5', /^TASKGATE_SHUTDOWN_TIMEOUT_MS: must be a positive whole number/m],
    ['TASKGATE_METRICS', 'maybe', /^TASKGATE_METRICS: must be one of the possible values: \["on","off"\]/m],
  ])('stop `taskgate serve` with exit code 2 naming %s and what it expects', async (name, value, expected) => {
    const run = await taskgate(['serve'], { [name]: value, PORT: name === 'PORT' ? value : '0', DATABASE_URL: name === 'DATABASE_URL' ? value : 'sqlite::memory:' });
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/^taskgate: bad configuration\n/);
    expect(run.stderr).toMatch(expected);
    if (name === 'DATABASE_URL') expect(run.stderr).not.toContain('postgres://x');
  });

  it('makes `taskgate serve` exit 1 with a log line when the database cannot be reached', async () => {
    const run = await taskgate(['serve'], { PORT: '0', HOST: '127.0.0.1', DATABASE_URL: 'mysql://tg:secret-pw@127.0.0.1:1/taskgate', LOG_FORMAT: 'json' });
    expect(run.code).toBe(1);
    const lines = run.stdout.split('\n').filter(Boolean).map((l) => JSON.parse(l) as { level: number; msg: string; err?: unknown });
    // One line, saying what to check; no second, misleading error (Apollo's stop() before start()).
    expect(lines.filter((l) => l.level >= 50)).toEqual([
      expect.objectContaining({ level: 60, msg: 'taskgate could not start: the database cannot be reached: mysql database taskgate at 127.0.0.1:1 (ECONNREFUSED): check DATABASE_URL and that the server is running' }),
    ]);
    expect(lines.find((l) => l.level === 60)?.err).toBeUndefined();
    expect(run.stderr).toBe('');
    expect(run.stdout + run.stderr).not.toContain('secret-pw');
  });
});
