import { createConnection } from 'mysql2/promise';
import { createApp } from '../../../src/app';
import { loadConfig } from '../../../src/config';
import { createLogger, wantsPretty } from '../../../src/ops/logger';
import { databaseKinds } from '../../helpers/databases';
import { captureLogs } from '../../helpers/log-capture';
import { startServer, testKeys } from '../../helpers/server';

/** Collects every line a logger writes. */
const dbPassword = 'Pw-never-in-logs-7Qx';

const createdUsers: { url: URL; user: string }[] = [];
afterAll(async () => {
  for (const { url, user } of createdUsers) {
    const admin = await createConnection({ host: url.hostname, port: Number(url.port || 3306), user: decodeURIComponent(url.username || 'root'), password: decodeURIComponent(url.password) });
    await admin.query(`DROP USER IF EXISTS '${user}'@'%', '${user}'@'localhost'`);
    await admin.end();
  }
});

/** On MariaDB, a user of our own with a password, so the configured DATABASE_URL carries one. */
async function withPassword(freshUrl: string): Promise<string> {
  const url = new URL(freshUrl);
  if (!url.protocol.startsWith('mariadb') && !url.protocol.startsWith('mysql')) return freshUrl;
  const database = url.pathname.slice(1);
  const user = `tg_log_${database.slice(-10)}`;
  const admin = await createConnection({ host: url.hostname, port: Number(url.port || 3306), user: decodeURIComponent(url.username || 'root'), password: decodeURIComponent(url.password) });
  await admin.query(`CREATE USER '${user}'@'%' IDENTIFIED BY '${dbPassword}'`);
  await admin.query(`CREATE USER '${user}'@'localhost' IDENTIFIED BY '${dbPassword}'`);
  await admin.query(`GRANT ALL ON ${database}.* TO '${user}'@'%'`);
  await admin.query(`GRANT ALL ON ${database}.* TO '${user}'@'localhost'`);
  await admin.end();
  createdUsers.push({ url: new URL(freshUrl), user });
  url.username = user;
  url.password = dbPassword;
  return url.toString();
}

describe.each(databaseKinds())('request logs on %s', (kind) => {
  it('writes one JSON line per request with method, path, status, duration, user and operation, and no secret', async () => {
    const log = captureLogs();
    const server = await startServer(kind, { LOG_LEVEL: 'info' }, { logDestination: log.stream, databaseUrl: withPassword });
    // The real signature this request carries must not reach the log.
    const body = JSON.stringify({ query: 'mutation AddTask($d: String!) { createTask(input: {description: $d, type: "probe"}) { id } }', variables: { d: 'logged' }, operationName: 'AddTask' });
    const headers: Record<string, string> = { ...server.signedHeaders('POST', '/graphql?trace=1', body, { contentType: 'application/json' }), 'content-type': 'application/json' };
    const signature = (headers['x-virtshell-authorization'] ?? '').split(':')[1];
    expect(signature).toBeTruthy();
    try {
      const created = await server.request('POST', '/graphql?trace=1', { body, headers });
      expect(created.body.errors).toBeUndefined();
      await server.request('GET', '/healthz', { headers });
      await server.request('GET', '/nowhere');
    } finally {
      await server.stop();
    }
    const text = log.lines.join('\n');
    expect(text).not.toContain(signature as string);
    expect(text).not.toContain(dbPassword);
    expect(text).not.toContain(encodeURIComponent(dbPassword));
    const requests = log.records().filter((r) => r.msg === 'request');
    expect(requests).toHaveLength(3);
    expect(requests[0]).toMatchObject({ method: 'POST', path: '/graphql', status: 200, user: testKeys.writer.user, operation: 'AddTask', door: 'graphql-http', level: 30 });
    expect(typeof requests[0].durationMs).toBe('number');
    expect(requests[1]).toMatchObject({ method: 'GET', path: '/healthz', status: 200 });
    expect(requests[2]).toMatchObject({ method: 'GET', path: '/nowhere', status: 404 });
  });
});

describe('logs when the database is unreachable at start', () => {
  // What the app itself logs while its start fails, at every level. The one "taskgate could not
  // start" line is the process's (src/main.ts), checked on the real command in cli.test.ts, so the
  // app adds no error of its own (no second, misleading one) and nothing it logs has the password.
  it('say why the start failed without writing the database password, and leave the one error line to the process', async () => {
    const log = captureLogs();
    // A port nothing listens on: connecting is refused at once.
    const config = loadConfig({ NODE_ENV: 'test', PORT: '0', HOST: '127.0.0.1', DATABASE_URL: `mysql://tg:${dbPassword}@127.0.0.1:1/taskgate`, LOG_LEVEL: 'info' });
    const app = await createApp(config, { logger: createLogger('trace', log.stream) });
    let failure: unknown;
    try {
      await app.start();
    } catch (error) {
      failure = error;
    } finally {
      await app.stop();
    }
    expect(String(failure)).toMatch(/ECONNREFUSED|connect/i);
    expect(String(failure)).not.toContain(dbPassword);
    expect(log.records().filter((r) => Number(r.level) >= 50)).toEqual([]);
    expect(log.lines.join('\n')).not.toContain(dbPassword);
    expect(log.lines.join('\n')).not.toContain(encodeURIComponent(dbPassword));
  });
});

describe('log format', () => {
  it('is pretty only in development on a terminal, unless chosen outright', () => {
    expect(wantsPretty('auto', 'development', true)).toBe(true);
    expect(wantsPretty('auto', 'development', false)).toBe(false);
    expect(wantsPretty('auto', 'production', true)).toBe(false);
    expect(wantsPretty('json', 'development', true)).toBe(false);
    expect(wantsPretty('pretty', 'production', false)).toBe(true);
  });
});
