import { execFile } from 'node:child_process';
import { createApp } from '../../../src/app';
import { createKey, listKeys, revokeKey } from '../../../src/auth/keys-commands';
import { run } from '../../../src/cli/program';

/** The taskgate command line, in process, with its printed lines captured. */
const runKeysCli = (args: string[], out: (line: string) => void) => run(['node', 'taskgate', ...args], out);
import { loadConfig } from '../../../src/config';
import { createLogger } from '../../../src/ops/logger';
import { databaseKinds, freshDatabase } from '../../helpers/databases';
import { eventually } from '../../helpers/eventually';
import { captureLogs } from '../../helpers/log-capture';
import { startServer, testKeys, type TestServer } from '../../helpers/server';
import { signedConnectionParams, signedHeaders } from '../../helpers/signing';

// 32 random bytes in base64, as TASKGATE_MASTER_KEY requires (openssl rand -base64 32).
const masterKey = 'o2Wq7Yf1ZkR9sV3nB6xT0mLc4HjD8uEa5PiG1rNw7yQ=';

async function signedCount(server: TestServer, credentials: { user: string; secret: string }): Promise<number> {
  const body = JSON.stringify({ query: '{ tasks { totalCount } }' });
  const headers = signedHeaders(credentials, { method: 'POST', host: server.host, path: '/graphql', body, contentType: 'application/json' });
  return (await fetch(`${server.baseUrl}/graphql`, { method: 'POST', headers, body })).status;
}

describe.each(databaseKinds())('keys on %s', (kind) => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startServer(kind, { TASKGATE_MASTER_KEY: masterKey, TASKGATE_KEYS_REFRESH: '1' });
  });
  afterAll(() => server.stop());

  it('signs with a key created by another process within a second, and stores its secret encrypted', async () => {
    const key = await createKey(server.app.dataSource, { user: 'ops-robot', role: 'write', masterKey });
    await eventually(async () => (await signedCount(server, key)) === 200, 'the new key is accepted');
    const rows = await server.app.dataSource.query('SELECT secret FROM `keys` WHERE id = ?', [key.id]);
    expect(rows[0].secret).toMatch(/^gcm:/);
    expect(rows[0].secret).not.toContain(key.secret);
    const listed = await listKeys(server.app.dataSource);
    expect(listed.find((k) => k.id === key.id)).toMatchObject({ user: 'ops-robot', role: 'write', revoked: null });
    expect(JSON.stringify(listed)).not.toContain(key.secret);
  });

  it('stops accepting a key revoked elsewhere, and tells long-lived connections', async () => {
    const key = await createKey(server.app.dataSource, { user: 'short-lived', role: 'read', masterKey });
    await eventually(async () => (await signedCount(server, key)) === 200, 'the new key is accepted');
    const caller = await server.app.authenticator.authenticateConnection(signedConnectionParams(key, server.host), server.host);
    expect(caller).toMatchObject({ id: 'short-lived', role: 'read' });
    expect(server.app.authenticator.isStillValid(caller)).toBe(true);
    const revoked: string[] = [];
    const unsubscribe = server.app.authenticator.onRevoked((id) => revoked.push(id));
    expect(await revokeKey(server.app.dataSource, key.id)).toBe(true);
    await eventually(async () => (await signedCount(server, key)) === 401, 'the revoked key is refused');
    expect(server.app.authenticator.isStillValid(caller)).toBe(false);
    expect(revoked).toContain(key.id);
    unsubscribe();
    expect(await revokeKey(server.app.dataSource, key.id)).toBe(false);
  });

  it('signs and sends a call from the command line', async () => {
    const out: string[] = [];
    const data = JSON.stringify({ query: 'mutation { createTask(input: {description: "from the command line"}) { created { by } } }' });
    const code = await runKeysCli(['call', 'POST', `${server.baseUrl}/graphql`, '--data', data, '--user', testKeys.writer.user, '--secret', testKeys.writer.secret], (l) => out.push(l));
    expect(out[0]).toBe('HTTP 200');
    expect(JSON.parse(out[1])).toEqual({ data: { createTask: { created: { by: testKeys.writer.user } } } });
    expect(code).toBe(0);
  });

  it('refuses WebSocket connection params that are missing, unsigned or skewed', async () => {
    const auth = server.app.authenticator;
    await expect(auth.authenticateConnection(undefined, server.host)).rejects.toMatchObject({ status: 401, reason: 'MissingAuthorization' });
    await expect(auth.authenticateConnection({ authorization: 'test-writer:AAAA', date: new Date().toUTCString() }, server.host)).rejects.toMatchObject({
      reason: 'SignatureDoesNotMatch',
    });
    const old = signedConnectionParams({ user: 'test-writer', secret: 'writer-secret-0123456789abcdef' }, server.host, new Date(Date.now() - 3_600_000));
    await expect(auth.authenticateConnection(old, server.host)).rejects.toMatchObject({ reason: 'RequestTimeTooSkewed' });
    await expect(auth.authenticateConnection(server.wsConnectionParams('reader'), server.host)).resolves.toMatchObject({ id: 'test-reader', role: 'read' });
  });
});

describe('first start', () => {
  it('creates one write key, logs its secret once with a signed curl example, and never again', async () => {
    const database = await freshDatabase('sqlite');
    const { stream: sink, lines } = captureLogs();
    const config = loadConfig({ NODE_ENV: 'test', PORT: '0', HOST: '127.0.0.1', DATABASE_URL: database.url });
    try {
      let answer = '';
      for (let start = 0; start < 2; start++) {
        const app = await createApp(config, { logger: createLogger('info', sink) });
        await app.start();
        if (start === 0) {
          // Run the logged example as it is (openssl + curl), against this server.
          const example = JSON.parse(lines.find((line) => line.includes('shown this once'))!).msg.split('\n').slice(2).join('\n');
          answer = await new Promise<string>((resolve, reject) =>
            execFile('bash', ['-c', example], (error, stdout) => (error ? reject(error) : resolve(stdout))),
          );
        }
        await app.stop();
      }
      expect(JSON.parse(answer)).toEqual({ data: { tasks: { totalCount: 0 } } });
      const secretLines = lines.filter((line) => line.includes('shown this once'));
      expect(secretLines).toHaveLength(1);
      const { msg } = JSON.parse(secretLines[0]);
      const secret = /shown this once: (\S+)/.exec(msg)![1];
      expect(msg).toContain('curl -s http://localhost:');
      expect(msg).toContain('openssl dgst -sha1 -hmac');
      // The secret appears in that one line only.
      expect(lines.filter((line) => line.includes(secret))).toHaveLength(1);
      expect(lines.some((line) => line.includes('TASKGATE_MASTER_KEY is not set'))).toBe(true);
    } finally {
      await database.drop();
    }
  });

  it('warns loudly at every start when authentication is off', async () => {
    const { stream: sink, lines } = captureLogs();
    const database = await freshDatabase('sqlite');
    const app = await createApp(loadConfig({ NODE_ENV: 'test', PORT: '0', HOST: '127.0.0.1', DATABASE_URL: database.url, TASKGATE_AUTH: 'off' }), { logger: createLogger('info', sink) });
    try {
      await app.start();
      expect(lines.some((line) => line.includes('AUTHENTICATION IS OFF'))).toBe(true);
    } finally {
      await app.stop();
      await database.drop();
    }
  });
});

describe('the keys command line', () => {
  it('creates, lists and revokes keys, printing the secret only on create', async () => {
    const database = await freshDatabase('sqlite');
    const saved = process.env.DATABASE_URL;
    process.env.DATABASE_URL = database.url;
    try {
      const out: string[] = [];
      // keys commands never create a database: the server (or `taskgate migrate`) does.
      expect(await runKeysCli(['keys', 'list'], (l) => out.push(l))).toBe(1);
      expect(await runKeysCli(['migrate'], (l) => out.push(l))).toBe(0);
      expect(await runKeysCli(['keys', 'create', '--user', 'cli-user', '--role', 'read'], (l) => out.push(l))).toBe(0);
      const id = /key (k_[0-9a-f]+)/.exec(out[0])![1];
      const secret = /shown this once\): (\S+)/.exec(out[1])![1];
      out.length = 0;
      expect(await runKeysCli(['keys', 'list'], (l) => out.push(l))).toBe(0);
      expect(out.join('\n')).toContain(`${id}\tcli-user\tread`);
      expect(out.join('\n')).not.toContain(secret);
      out.length = 0;
      expect(await runKeysCli(['keys', 'revoke', id], (l) => out.push(l))).toBe(0);
      expect(await runKeysCli(['keys', 'revoke', id], (l) => out.push(l))).toBe(1);
      out.length = 0;
      expect(await runKeysCli(['sign', 'POST', 'http://localhost:4000/graphql', '--data', '{}', '--user', 'u', '--secret', 's'], (l) => out.push(l))).toBe(0);
      expect(out.join('\n')).toMatch(/X-VirtShell-Authorization: u:[A-Za-z0-9+/]{27}=/);
      expect(out.join('\n')).toContain('Content-MD5: mZFLkyvTelC5g8XnyQrpOw==');
    } finally {
      if (saved === undefined) delete process.env.DATABASE_URL;
      else process.env.DATABASE_URL = saved;
      await database.drop();
    }
  });
});

describe('TASKGATE_KEYS', () => {
  it('refuses a malformed entry at start, naming the variable but never the secret', () => {
    expect(() => loadConfig({ TASKGATE_KEYS: 'ok-user:fine-secret:read,robot:super-secret-value:admin' })).toThrow(/TASKGATE_KEYS: entry 2 is not user:secret:role/);
    let message = '';
    try {
      loadConfig({ TASKGATE_KEYS: 'robot:super-secret-value:admin' });
    } catch (error) {
      message = String(error);
    }
    expect(message).toMatch(/TASKGATE_KEYS/);
    expect(message).not.toContain('super-secret-value');
  });
});

describe('logs', () => {
  it('never contain a secret or a signature, even at trace level', async () => {
    const { stream: sink, lines } = captureLogs();
    const database = await freshDatabase('sqlite');
    const secret = 'log-test-secret-9f8e7d6c5b4a';
    let signature = '';
    const app = await createApp(
      loadConfig({ NODE_ENV: 'test', PORT: '0', HOST: '127.0.0.1', DATABASE_URL: database.url, TASKGATE_KEYS: `logger:${secret}:write`, TASKGATE_MASTER_KEY: masterKey }),
      { logger: createLogger('trace', sink) },
    );
    try {
      const { port } = await app.start();
      const host = `127.0.0.1:${port}`;
      const body = JSON.stringify({ query: 'mutation { createTask(input: {description: "logged?"}) { id } }' });
      const headers = signedHeaders({ user: 'logger', secret }, { method: 'POST', host, path: '/graphql', body, contentType: 'application/json' });
      signature = headers['x-virtshell-authorization'].split(':')[1];

      for (let i = 0; i < 2; i++) await fetch(`http://${host}/graphql`, { method: 'POST', headers, body });
      await fetch(`http://${host}/graphql`, { method: 'POST', headers: { ...headers, 'x-virtshell-authorization': 'logger:AAAAAAAAAAAAAAAAAAAAAAAAAAA=' }, body });
      await app.authenticator.authenticateConnection({ authorization: `logger:${signature}`, date: headers.date }, host).catch(() => undefined);
    } finally {
      await app.stop();
      await database.drop();
    }
    expect(lines.length).toBeGreaterThan(0);
    expect(signature).toHaveLength(28);
    expect(lines.filter((line) => line.includes(secret))).toEqual([]);
    expect(lines.filter((line) => line.includes(signature) || line.includes('AAAAAAAAAAAAAAAAAAAAAAAAAAA='))).toEqual([]);
  });
});
