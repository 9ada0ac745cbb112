import { masterKeyProblem } from '../../../src/config';
import { explainStartFailure, StartStepError } from '../../../src/ops/start-failure';
import { Readiness } from '../../../src/ops/readiness';

const config = { host: '0.0.0.0', port: 4000, database: { kind: 'mysql' as const, flavor: 'mariadb' as const, host: 'db', port: 3306, user: 'tg', password: 'hunter2', database: 'tasks', poolSize: 10 } };
const systemError = (code: string, extra: Record<string, unknown> = {}) => Object.assign(new Error(`${code} happened`), { code, ...extra });

describe('what a failed start tells a person', () => {
  it('names the port and PORT when the port is taken', () => {
    expect(explainStartFailure(new StartStepError('listen', systemError('EADDRINUSE')), config)).toEqual({
      expected: true,
      message: 'port 4000 is already in use (0.0.0.0:4000): stop what is using it, or set PORT to a free port',
    });
  });

  it('names the database and DATABASE_URL, never the password', () => {
    for (const code of ['ECONNREFUSED', 'ETIMEDOUT', 'ENOTFOUND']) {
      const why = explainStartFailure(new StartStepError('database', systemError(code)), config);
      expect(why.expected).toBe(true);
      expect(why.message).toBe(`the database cannot be reached: mariadb database tasks at db:3306 (${code}): check DATABASE_URL and that the server is running`);
      expect(why.message).not.toContain('hunter2');
    }
    expect(explainStartFailure(new StartStepError('database', systemError('ER_BAD_DB_ERROR', { sqlMessage: "Unknown database 'tasks'" })), config).message).toMatch(/create it \(CREATE DATABASE/);
  });

  it('passes anything unexpected through as not expected, so its stack is logged', () => {
    expect(explainStartFailure(new StartStepError('other', new Error('boom')), config)).toEqual({ expected: false, message: 'boom' });
  });
});

describe('master keys', () => {
  it('accepts 32 random bytes in hex or base64, and no key at all', () => {
    expect(masterKeyProblem('')).toBeUndefined();
    expect(masterKeyProblem('o2Wq7Yf1ZkR9sV3nB6xT0mLc4HjD8uEa5PiG1rNw7yQ=')).toBeUndefined();
    expect(masterKeyProblem('3f9c1a7e5b2d4c6e8f0a1b3c5d7e9f1a2b4c6d8e0f1a3b5c7d9e1f2a4b6c8d0e')).toBeUndefined();
  });

  it('refuses short keys, passphrases and one character repeated', () => {
    for (const weak of ['abc', 'correct horse battery staple', 'a'.repeat(64), 'QUFB'.repeat(11)]) expect(masterKeyProblem(weak)).toMatch(/at least 32 random bytes/);
  });
});

describe('readiness', () => {
  it('stays ready with an optional check failing, and names it as degraded', async () => {
    const readiness = new Readiness(1000);
    readiness.register('database', async () => undefined);
    readiness.register('redis', async () => Promise.reject(new Error('down')), { required: false });
    expect(await readiness.report()).toEqual({ ready: true, failing: [], degraded: ['redis'], checks: { database: { ok: true }, redis: { ok: false, error: 'down' } } });
  });
});
