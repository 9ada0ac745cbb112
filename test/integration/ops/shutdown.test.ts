import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { parseDatabaseUrl } from '../../../src/config';
import { createDataSource } from '../../../src/db/data-source';
import { databaseKinds, freshDatabase, type TestDatabase } from '../../helpers/databases';
import { testKeys } from '../../helpers/server';
import { TestSigner } from '../../helpers/signing';

const root = resolve(__dirname, '..', '..', '..');

/** Starts the compiled server (what `npm start` runs) and resolves with its port once it listens. */
function startCompiled(databaseUrl: string): Promise<{ child: ChildProcess; port: number; logs: string[] }> {
  const child = spawn(process.execPath, [join(root, 'dist', 'src', 'main.js')], {
    cwd: root,
    env: { PATH: process.env.PATH, NODE_ENV: 'test', PORT: '0', HOST: '127.0.0.1', DATABASE_URL: databaseUrl, LOG_LEVEL: 'info', LOG_FORMAT: 'json', TASKGATE_KEYS: `${testKeys.writer.user}:${testKeys.writer.secret}:write` },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const logs: string[] = [];
  return new Promise((resolvePort, reject) => {
    createInterface({ input: child.stderr! }).on('line', (line) => logs.push(line));
    createInterface({ input: child.stdout! }).on('line', (line) => {
      logs.push(line);
      const entry = JSON.parse(line) as { msg?: string; url?: string };
      if (entry.msg?.startsWith('taskgate is listening')) resolvePort({ child, port: Number(new URL(entry.url!).port), logs });
    });
    child.once('exit', (code) => reject(new Error(`the server exited with ${code} before listening:\n${logs.join('\n')}`)));
  });
}

async function storedIds(databaseUrl: string): Promise<Set<string>> {
  const dataSource = createDataSource({ ...parseDatabaseUrl(databaseUrl), poolSize: 1 });
  await dataSource.initialize();
  try {
    const rows = (await dataSource.query('SELECT uuid FROM tasks')) as { uuid: string }[];
    return new Set(rows.map((r) => r.uuid));
  } finally {
    await dataSource.destroy();
  }
}

describe.each(databaseKinds())('graceful shutdown under load on %s', (kind) => {
  let database: TestDatabase;
  beforeAll(async () => {
    execFileSync(process.execPath, [join(root, 'scripts', 'build-if-needed.js')], { stdio: 'ignore' });
    database = await freshDatabase(kind);
  });
  afterAll(() => database.drop());

  it('exits 0 on SIGTERM mid-stream and keeps every write it acknowledged', async () => {
    const { child, port, logs } = await startCompiled(database.url);
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((done) =>
      child.once('exit', (code, signal) => done({ code, signal })),
    );
    let running = true;
    void exited.then(() => (running = false));
    const acknowledged: string[] = [];
    let refused = 0;
    let signalled = false;
    let acknowledgedAtSignal = 0;

    const signer = new TestSigner(testKeys.writer);
    const writer = async (worker: number) => {
      // Bounded: stops when the server is gone, or after 2,000 writes at most.
      for (let n = 0; running && n < 2000; n++) {
        try {
          const body = JSON.stringify({
            query: 'mutation Write($d: String!) { createTask(input: {description: $d, type: "load"}) { id } }',
            variables: { d: `writer ${worker} #${n}` },
          });
          const signed = signer.sign({ method: 'POST', host: `127.0.0.1:${port}`, path: '/graphql', body, contentType: 'application/json' });
          const response = await fetch(`http://127.0.0.1:${port}/graphql`, {
            method: 'POST',
            headers: { ...signed, 'content-type': 'application/json' },
            body,
          });
          const answer = (await response.json()) as { data?: { createTask?: { id: string } } };
          if (response.ok && answer.data?.createTask?.id) acknowledged.push(answer.data.createTask.id);
          else refused++;
        } catch {
          refused++;
          if (signalled) await new Promise((r) => setTimeout(r, 5));
        }
        if (!signalled && acknowledged.length >= 60) {
          signalled = true;
          acknowledgedAtSignal = acknowledged.length;
          child.kill('SIGTERM');
        }
      }
    };
    await Promise.all(Array.from({ length: 8 }, (_, i) => writer(i)));
    const { code, signal } = await exited;

    expect({ code, signal }).toEqual({ code: 0, signal: null });
    expect(signalled).toBe(true);
    expect(logs.some((l) => l.includes('"msg":"stopped"'))).toBe(true);
    const stored = await storedIds(database.url);
    const lost = acknowledged.filter((id) => !stored.has(id));
    expect(lost).toEqual([]);
    // The writes in flight when the signal came were finished, not dropped.
    expect(acknowledged.length).toBeGreaterThan(acknowledgedAtSignal);
  });
});
