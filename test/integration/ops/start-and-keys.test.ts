import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createConnection } from 'mysql2/promise';
import { freshDatabase } from '../../helpers/databases';
import { signedHeaders } from '../../helpers/signing';
import { repoRoot as root, runTaskgate, taskgateBin as bin } from '../../helpers/taskgate-command';

// better-sqlite3 ships no types; this suite only reads the keys table with it.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const Database: new (file: string, options?: { readonly?: boolean }) => { prepare(sql: string): { all(): unknown[] } } = require('better-sqlite3');

const masterKey = 'Jx0m8Qf3VbT2nLw9cR5yK1pD7hS4gA6eZ0uN3iO8qW4=';

const taskgate = runTaskgate;

interface Serving {
  child: ChildProcess;
  port: number;
  stdout: () => string;
  stderr: () => string;
  /** Its stderr once it contains `text`: stderr and stdout are separate pipes, so what it wrote to stderr before logging that it listens may still be on its way. */
  stderrWith(text: string): Promise<string>;
  /** Its whole stderr, once the process has exited and the pipe is closed. */
  stderrAtExit(): Promise<string>;
  stop(): Promise<number | null>;
}

/** `taskgate serve` until it logs that it listens (or exits first). */
function serve(env: Record<string, string>): Promise<Serving> {
  const child = spawn(process.execPath, [bin, 'serve'], { cwd: root, env: { PATH: process.env.PATH, HOST: '127.0.0.1', PORT: '0', LOG_FORMAT: 'json', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stderr!.on('data', (c: Buffer) => (stderr += c.toString()));
  const stderrClosed = new Promise<void>((done) => child.stderr!.once('close', () => done()));
  const stderrWith = (text: string): Promise<string> =>
    new Promise((found, missing) => {
      const look = () => {
        if (!stderr.includes(text)) return false;
        child.stderr!.off('data', look);
        found(stderr);
        return true;
      };
      if (look()) return;
      child.stderr!.on('data', look);
      void stderrClosed.then(() => look() || missing(new Error(`stderr closed without ${JSON.stringify(text)}:\n${stderr}`)));
    });
  const exited = new Promise<number | null>((done) => child.once('exit', (code) => done(code)));
  return new Promise((resolveServing, reject) => {
    child.stdout!.on('data', (c: Buffer) => {
      stdout += c.toString();
      const listening = stdout
        .split('\n')
        .filter((l) => l.startsWith('{'))
        .map((l) => JSON.parse(l) as { msg: string; port?: number })
        .find((l) => l.msg.startsWith('taskgate is listening'));
      if (listening) {
        resolveServing({
          child,
          port: listening.port!,
          stdout: () => stdout,
          stderr: () => stderr,
          stderrWith,
          stderrAtExit: () => stderrClosed.then(() => stderr),
          stop: () => {
            child.kill('SIGTERM');
            return exited;
          },
        });
      }
    });
    void exited.then((code) => reject(new Error(`serve exited with ${code} before listening:\n${stdout}\n${stderr}`)));
  });
}

function logLines(stdout: string): { level: number; msg: string; [key: string]: unknown }[] {
  return stdout
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l));
}

async function signedCall(port: number, user: string, secret: string): Promise<number> {
  const body = JSON.stringify({ query: '{ tasks { totalCount } }' });
  const headers = signedHeaders({ user, secret }, { method: 'POST', host: `127.0.0.1:${port}`, path: '/graphql', body, contentType: 'application/json' });
  return (await fetch(`http://127.0.0.1:${port}/graphql`, { method: 'POST', headers, body })).status;
}

describe('starting taskgate serve', () => {
  let dir: string;
  beforeAll(() => {
    execFileSync(process.execPath, [join(root, 'scripts', 'build-if-needed.js')], { stdio: 'ignore' });
    dir = mkdtempSync(join(tmpdir(), 'taskgate-start-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('refuses a port in use with one line naming the port and PORT, and exit code 1', async () => {
    const taken: Server = createServer();
    await new Promise<void>((done) => taken.listen(0, '127.0.0.1', done));
    const port = (taken.address() as { port: number }).port;
    try {
      const run = await taskgate(['serve'], { HOST: '127.0.0.1', PORT: String(port), DATABASE_URL: 'sqlite::memory:', LOG_FORMAT: 'json', TASKGATE_KEYS: 'u:s:write' });
      expect(run.code).toBe(1);
      expect(run.stderr).toBe('');
      const errors = logLines(run.stdout).filter((l) => l.level >= 50);
      expect(errors).toHaveLength(1);
      expect(errors[0].msg).toBe(`taskgate could not start: port ${port} is already in use (127.0.0.1:${port}): stop what is using it, or set PORT to a free port`);
      expect(run.stdout).not.toMatch(/\n\s+at /);
    } finally {
      taken.close();
    }
  });

  it('lists the playground and board URLs when it starts, and GET / points at them', async () => {
    const server = await serve({ DATABASE_URL: 'sqlite::memory:', TASKGATE_KEYS: 'u:s:write', TASKGATE_PUBLIC_URL: 'http://gateway.example:8080' });
    try {
      const listening = logLines(server.stdout()).find((l) => l.msg.startsWith('taskgate is listening'))!;
      expect(listening.msg).toBe('taskgate is listening: GraphQL http://gateway.example:8080/graphql; open playground http://gateway.example:8080/playground, board http://gateway.example:8080/board');
      const json = await fetch(`http://127.0.0.1:${server.port}/`);
      expect(json.status).toBe(200);
      expect(((await json.json()) as { links: unknown }).links).toMatchObject({ graphql: '/graphql', playground: '/playground', board: '/board' });
      const html = await fetch(`http://127.0.0.1:${server.port}/`, { headers: { accept: 'text/html,application/xhtml+xml,*/*;q=0.8' } });
      expect(html.headers.get('content-type')).toMatch(/^text\/html/);
      expect(await html.text()).toContain('<a href="/playground">');
      // A browser at /graphql is shown the way, not a 401 in JSON; a GraphQL client still gets the 401.
      const browser = await fetch(`http://127.0.0.1:${server.port}/graphql`, { headers: { accept: 'text/html,*/*;q=0.8' } });
      expect(browser.status).toBe(200);
      expect(await browser.text()).toContain('<a href="/board">');
      expect((await fetch(`http://127.0.0.1:${server.port}/graphql`, { headers: { accept: 'application/json' } })).status).toBe(401);
    } finally {
      expect(await server.stop()).toBe(0);
    }
  });

  it('prints the first-start key as plain lines on stderr, with a call to TASKGATE_PUBLIC_URL, once per database', async () => {
    const url = `sqlite:${join(dir, 'first.db')}`;
    const server = await serve({ DATABASE_URL: url, TASKGATE_PUBLIC_URL: 'http://localhost:4001' });
    let secret: string;
    try {
      const stderr = await server.stderrWith('Then open http://localhost:4001/playground');
      secret = /^ {2}TASKGATE_SECRET=(\S+)$/m.exec(stderr)![1];
      expect(stderr).toMatch(/^ {2}TASKGATE_USER=admin$/m);
      expect(stderr).toContain(`npx taskgate call POST http://localhost:4001/graphql --user admin --secret '${secret}'`);
      expect(stderr).toContain("printf 'POST\\nlocalhost:4001\\n");
      expect(stderr).toContain('curl -s http://localhost:4001/graphql');
      expect(await signedCall(server.port, 'admin', secret)).toBe(200);
    } finally {
      await server.stop();
    }
    const again = await serve({ DATABASE_URL: url });
    await again.stop();
    expect(await again.stderrAtExit()).not.toContain('TASKGATE_SECRET');
  });

  it('accepts a key made with `keys create` on the very next request', async () => {
    const url = `sqlite:${join(dir, 'next.db')}`;
    const server = await serve({ DATABASE_URL: url, TASKGATE_KEYS: 'u:s:write', TASKGATE_KEYS_REFRESH: '3600' });
    try {
      for (let i = 0; i < 3; i++) {
        const created = await taskgate(['keys', 'create', '--user', `deployer-${i}`], { DATABASE_URL: url });
        expect(created.code).toBe(0);
        const secret = /secret \(shown this once\): (\S+)/.exec(created.stdout)![1];
        expect(await signedCall(server.port, `deployer-${i}`, secret)).toBe(200);
      }
    } finally {
      await server.stop();
    }
  });
});

describe('the keys commands', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'taskgate-keys-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('refuse a bad user id with one line and exit code 2', async () => {
    const run = await taskgate(['keys', 'create', '--user', 'bad user:x'], { DATABASE_URL: `sqlite:${join(dir, 'none.db')}` });
    expect(run.code).toBe(2);
    expect(run.stderr).toBe('taskgate keys create: --user "bad user:x" is not a user id: a user id is 1-128 letters, digits, ".", "_", "@" or "-"\n');
  });

  it('refuse to invent a database that does not exist, naming the one they looked for', async () => {
    const elsewhere = mkdtempSync(join(dir, 'elsewhere-'));
    const run = await taskgate(['keys', 'create', '--user', 'deployer'], {}, elsewhere);
    expect(run.code).toBe(1);
    expect(run.stderr).toBe(
      `taskgate keys create: there is no database at ${join(elsewhere, 'data', 'taskgate.db')} (DATABASE_URL=sqlite:./data/taskgate.db, the default, relative to the current folder); run it in the folder taskgate serves from, or set DATABASE_URL to the server's database\n`,
    );
    expect(existsSync(join(elsewhere, 'data'))).toBe(false);
  });

  it('say in one line that the database cannot be reached', async () => {
    const run = await taskgate(['keys', 'list'], { DATABASE_URL: 'mysql://tg:secret-pw@127.0.0.1:1/taskgate' });
    expect(run.code).toBe(1);
    expect(run.stderr).toBe('taskgate keys list failed: the database cannot be reached: mysql database taskgate at 127.0.0.1:1 (ECONNREFUSED): check DATABASE_URL and that the server is running\n');
  });

  (process.env.TEST_MYSQL_URL ? it : it.skip)('say in one line that the database refused a wrong password (MariaDB)', async () => {
    const url = new URL(process.env.TEST_MYSQL_URL as string);
    url.password = 'certainly-wrong';
    const run = await taskgate(['keys', 'list'], { DATABASE_URL: url.toString() });
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/^taskgate keys list failed: the database refused the login: Access denied for user .*: check the user and password in DATABASE_URL\n$/);
    expect(run.stderr).not.toContain('certainly-wrong');
  });

  it('refuse a master key with less than 32 random bytes, naming TASKGATE_MASTER_KEY', async () => {
    for (const weak of ['abc', 'a'.repeat(64), 'a long passphrase that is not random bytes at all, sorry']) {
      const run = await taskgate(['keys', 'list'], { DATABASE_URL: `sqlite:${join(dir, 'none.db')}`, TASKGATE_MASTER_KEY: weak });
      expect(run.code).toBe(2);
      expect(run.stderr).toMatch(/^TASKGATE_MASTER_KEY: must be at least 32 random bytes written as 64 hex or 44 base64 characters .*openssl rand -base64 32$/m);
      expect(run.stderr).not.toContain(weak);
    }
  });

  it('seal the secrets stored before a master key was set, and the keys still sign', async () => {
    const file = join(dir, 'seal.db');
    const env = { DATABASE_URL: `sqlite:${file}` };
    expect((await taskgate(['migrate'], env)).code).toBe(0);
    const created = await taskgate(['keys', 'create', '--user', 'early'], env);
    const secret = /secret \(shown this once\): (\S+)/.exec(created.stdout)![1];
    const stored = () => new Database(file, { readonly: true }).prepare('SELECT secret FROM `keys`').all() as { secret: string }[];
    expect(stored()[0].secret).toBe(`plain:${secret}`);
    const refused = await taskgate(['keys', 'seal'], env);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/^taskgate keys seal: set TASKGATE_MASTER_KEY first/);
    const sealed = await taskgate(['keys', 'seal'], { ...env, TASKGATE_MASTER_KEY: masterKey });
    expect(sealed).toMatchObject({ code: 0, stdout: 'sealed 1 stored secret(s) with TASKGATE_MASTER_KEY\n' });
    expect(stored()[0].secret).toMatch(/^gcm:/);
    expect(stored()[0].secret).not.toContain(secret);
    expect((await taskgate(['keys', 'seal'], { ...env, TASKGATE_MASTER_KEY: masterKey })).stdout).toBe('every stored secret is already sealed\n');
    const server = await serve({ ...env, TASKGATE_MASTER_KEY: masterKey });
    try {
      expect(await signedCall(server.port, 'early', secret)).toBe(200);
    } finally {
      await server.stop();
    }
  });

  it('are sealed at start too, once a master key is set', async () => {
    const file = join(dir, 'seal-at-start.db');
    const env = { DATABASE_URL: `sqlite:${file}` };
    expect((await taskgate(['migrate'], env)).code).toBe(0);
    expect((await taskgate(['keys', 'create', '--user', 'early'], env)).code).toBe(0);
    const server = await serve({ ...env, TASKGATE_MASTER_KEY: masterKey });
    await server.stop();
    const rows = new Database(file, { readonly: true }).prepare('SELECT secret FROM `keys`').all() as { secret: string }[];
    expect(rows.map((r) => r.secret.split(':')[0])).toEqual(['gcm']);
    expect(logLines(server.stdout()).some((l) => l.msg === 'sealed 1 stored signing secret(s) with TASKGATE_MASTER_KEY')).toBe(true);
  });
});

(process.env.TEST_MYSQL_URL ? describe : describe.skip)('two instances started at once on a fresh MariaDB database', () => {
  it('both start (the second waits for the migrations and finds nothing to do) and only one admin key exists', async () => {
    const database = await freshDatabase('mariadb');
    const env = { DATABASE_URL: database.url, LOG_LEVEL: 'info' };
    const started = await Promise.allSettled([serve(env), serve(env)]);
    try {
      expect(started.map((s) => s.status)).toEqual(['fulfilled', 'fulfilled']);
      const servers = started.map((s) => (s as PromiseFulfilledResult<Serving>).value);
      const url = new URL(database.url);
      const conn = await createConnection({ host: url.hostname, port: Number(url.port || 3306), user: decodeURIComponent(url.username), password: decodeURIComponent(url.password), database: url.pathname.slice(1) });
      try {
        const [keys] = (await conn.query("SELECT user_id FROM `keys` WHERE user_id = 'admin'")) as [unknown[], unknown];
        expect(keys).toHaveLength(1);
        const [migrations] = (await conn.query('SELECT name FROM migrations')) as [{ name: string }[], unknown];
        expect(new Set(migrations.map((m) => m.name)).size).toBe(migrations.length);
      } finally {
        await conn.end();
      }
      // Counted once both have exited, so a line still in a pipe is not missed.
      for (const s of servers) await s.stop();
      const stderrs = await Promise.all(servers.map((s) => s.stderrAtExit()));
      expect(stderrs.filter((text) => text.includes('TASKGATE_SECRET=')).length).toBe(1);
    } finally {
      for (const s of started) if (s.status === 'fulfilled') await s.value.stop();
      await database.drop();
    }
  });
});

(process.env.TEST_REDIS_URL ? describe : describe.skip)('starting with Redis', () => {
  it('logs the event link up once, and never "down" on a normal start', async () => {
    const server = await serve({ DATABASE_URL: 'sqlite::memory:', TASKGATE_KEYS: 'u:s:write', REDIS_URL: process.env.TEST_REDIS_URL as string });
    try {
      const link = logLines(server.stdout()).filter((l) => /event link to Redis/.test(l.msg));
      expect(link.map((l) => l.msg)).toEqual(['event link to Redis is up']);
    } finally {
      await server.stop();
    }
  });
});
