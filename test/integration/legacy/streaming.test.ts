import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { formatDbTime } from '../../../src/db/database';
import { databaseKinds } from '../../helpers/databases';
import { startServer, type TestServer, testKeys } from '../../helpers/server';
import { TestSigner } from '../../helpers/signing';
import { expectLegacyTask } from './legacy-wire';

const total = 100_000;
const root = join(__dirname, '..', '..', '..');

/** Uuid of the i-th seeded task: sorts the same way as the creation order. */
const uuidOf = (i: number) => `${i.toString(16).padStart(8, '0')}-0000-4000-8000-${i.toString(16).padStart(12, '0')}`;

/**
 * Seeds the tasks table directly with bulk INSERTs (test setup may; the layer under test may
 * not): one second apart, every fourth in progress, so listings have pages to walk.
 */
async function seed(server: TestServer): Promise<void> {
  const start = Date.UTC(2015, 3, 16, 18, 0, 0);
  const batch = 1000;
  for (let from = 0; from < total; from += batch) {
    const rows: unknown[] = [];
    const count = Math.min(batch, total - from);
    for (let i = from; i < from + count; i++) {
      const at = formatDbTime(new Date(start + i * 1000));
      const [status, stage] = i % 4 === 0 ? ['IN_PROGRESS', 'in progress'] : ['PENDING', 'pending'];
      rows.push(uuidOf(i), `seeded task ${i}`, status, stage, 'create_instance', null, at, 'seeder', at, `log ${i}`, 1);
    }
    const values = new Array(count).fill('(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)').join(', ');
    await server.app.dataSource.query(
      `INSERT INTO tasks (uuid, description, status, stage, type, object_uuid, created_at, created_by, last_update, log, version) VALUES ${values}`,
      rows,
    );
  }
}

/** The compiled gateway in a process of its own over the same database, so its RSS is its own. */
async function startGatewayProcess(databaseUrl: string, nodeArgs: string[] = []): Promise<{ child: ChildProcess; baseUrl: string }> {
  const child = spawn(process.execPath, [...nodeArgs, join(root, 'dist', 'src', 'main.js')], {
    env: { ...process.env, NODE_ENV: 'test', PORT: '0', HOST: '127.0.0.1', DATABASE_URL: databaseUrl, LOG_LEVEL: 'info', TASKGATE_MIGRATE: 'off', TASKGATE_KEYS: `${testKeys.reader.user}:${testKeys.reader.secret}:read` },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const port = await new Promise<number>((resolve, reject) => {
    let seen = '';
    child.once('exit', (code) => reject(new Error(`gateway exited with ${code}`)));
    child.stdout!.on('data', (chunk: Buffer) => {
      seen += chunk.toString();
      const url = /"url":"http:\/\/[^:]+:(\d+)\/graphql"/.exec(seen);
      if (url) resolve(Number(url[1]));
    });
  });
  child.stdout!.resume();
  return { child, baseUrl: `http://127.0.0.1:${port}` };
}

function rssOf(pid: number): number {
  const kb = /VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
  return Number(kb) * 1024;
}

/** Reads a response to the end, optionally slowly, holding nothing but a byte count and a tail. */
async function drain(response: Response, pauseEvery = 0): Promise<{ bytes: number; tail: string }> {
  const reader = response.body!.getReader();
  let bytes = 0;
  let chunks = 0;
  let tail = '';
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    bytes += value.length;
    tail = (tail + Buffer.from(value).toString('utf8')).slice(-64);
    if (pauseEvery && ++chunks % pauseEvery === 0) await new Promise((r) => setTimeout(r, 5));
  }
  return { bytes, tail };
}

const mb = (n: number) => `${(n / 1048576).toFixed(1)} MB`;

describe.each(databaseKinds())('listing 100,000 tasks over the legacy API on %s', (kind) => {
  let server: TestServer;

  beforeAll(async () => {
    execFileSync(process.execPath, [join(root, 'scripts', 'build-if-needed.js')], { stdio: 'inherit' });
    server = await startServer(kind);
    const started = Date.now();
    await seed(server);
    console.log(`legacy streaming on ${kind}: seeded ${total} tasks in ${Date.now() - started} ms`);
  }, 300_000);
  afterAll(async () => {
    await server?.stop();
  });

  it('streams every task, in creation order, each in the legacy shape', async () => {
    const res = await server.request('GET', '/api/virtshell/v1/tasks/');
    expect(res.status).toBe(200);
    expect(Object.keys(res.body)).toEqual(['tasks']);
    const tasks: any[] = res.body.tasks;
    expect(tasks).toHaveLength(total);
    for (const i of [0, 1, 499, 500, 501, 77_777, total - 1]) {
      expectLegacyTask(tasks[i]);
      expect(tasks[i]).toMatchObject({ uuid: uuidOf(i), description: `seeded task ${i}`, status: i % 4 === 0 ? 'in progress' : 'pending', log: `log ${i}` });
    }
    for (let i = 1; i < total; i++) if (tasks[i].uuid <= tasks[i - 1].uuid) throw new Error(`out of order at ${i}`);
  }, 300_000);

  it('streams a status listing of 25,000 tasks the same way', async () => {
    const res = await server.request('GET', '/tasks/in%20progress');
    expect(res.body.tasks).toHaveLength(total / 4);
    expect(res.body.tasks.every((t: any) => t.status === 'in progress')).toBe(true);
  }, 300_000);

  it('pages with ?limit= and the next cursor, to the same tasks', async () => {
    const first = await server.request('GET', '/tasks?limit=500');
    expect(first.body.tasks).toHaveLength(500);
    expect(first.body.tasks[499].uuid).toBe(uuidOf(499));
    const second = await server.request('GET', `/tasks?limit=3&after=${encodeURIComponent(first.body.next)}`);
    expect(second.body.tasks.map((t: any) => t.uuid)).toEqual([uuidOf(500), uuidOf(501), uuidOf(502)]);
    const rest = await server.request('GET', `/tasks/?after=${encodeURIComponent(first.body.next)}`);
    expect(rest.body.tasks).toHaveLength(total - 500);
    const last = await server.request('GET', `/tasks?limit=10&after=${encodeURIComponent(second.body.next)}`);
    expect(last.body.next).toEqual(expect.any(String));
  }, 300_000);

  it('keeps serving after a client walks away mid-stream', async () => {
    const controller = new AbortController();
    const response = await fetch(`${server.baseUrl}/tasks/`, { signal: controller.signal, headers: server.signedHeaders('GET', '/tasks/') });
    expect(response.status).toBe(200);
    const reader = response.body!.getReader();
    await reader.read();
    controller.abort();
    await reader.read().catch(() => undefined);
    const after = await server.request('GET', '/tasks?limit=1');
    expect(after.status).toBe(200);
  });

  it('holds the gateway memory flat while a fast and a slow client each read the whole list', async () => {
    const { child, baseUrl } = await startGatewayProcess(server.databaseUrl);
    const signer = new TestSigner(testKeys.reader);
    const get = (path: string) => fetch(`${baseUrl}${path}`, { headers: signer.sign({ method: 'GET', host: new URL(baseUrl).host, path }) });
    try {
      // Warm up (JIT, pools, first pages) before the baseline.
      await drain(await get('/tasks?limit=500'));
      const baseline = rssOf(child.pid!);
      let peak = baseline;
      const sampler = setInterval(() => (peak = Math.max(peak, rssOf(child.pid!))), 20);
      try {
        const fast = await drain(await get('/tasks/'));
        const slow = await drain(await get('/tasks/'), 8);
        expect(fast.tail.endsWith('}]}')).toBe(true);
        expect(slow.bytes).toBe(fast.bytes);
        console.log(`legacy streaming on ${kind}: ${total} tasks, ${mb(fast.bytes)} of JSON per listing; gateway RSS ${mb(baseline)} before, peak ${mb(peak)} (growth ${mb(peak - baseline)})`);
      } finally {
        clearInterval(sampler);
      }
      // Generous: the JSON alone is ~25 MB and the tasks as objects several times that.
      expect(peak - baseline).toBeLessThan(200 * 1048576);
    } finally {
      child.kill('SIGTERM');
      await new Promise((resolve) => child.once('exit', resolve));
    }
  }, 300_000);
});

describe.each(databaseKinds())('listing tasks with big logs over the legacy API on %s', (kind) => {
  let server: TestServer;
  const count = 100;
  const logOf = (i: number) => `${i}:`.padEnd(1024 * 1024, String.fromCharCode(97 + (i % 26)));

  beforeAll(async () => {
    execFileSync(process.execPath, [join(root, 'scripts', 'build-if-needed.js')], { stdio: 'inherit' });
    server = await startServer(kind);
    const start = Date.UTC(2016, 0, 1);
    for (let i = 0; i < count; i++) {
      const at = formatDbTime(new Date(start + i * 1000));
      await server.app.dataSource.query(
        'INSERT INTO tasks (uuid, description, status, stage, type, object_uuid, created_at, created_by, last_update, log, version) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
        [uuidOf(i), `provisioned ${i}`, 'SUCCESS', 'provisioned', 'create_container', null, at, 'seeder', at, logOf(i), 1],
      );
    }
  }, 300_000);
  afterAll(async () => {
    await server?.stop();
  });

  it('bounds a GraphQL page by the bytes of its logs, and the next pages carry on from there', async () => {
    const page = await server.gql(`{ tasks(first: 100) { edges { node { id } } pageInfo { hasNextPage endCursor } } }`);
    expect(page.data!.tasks.edges).toHaveLength(8);
    expect(page.data!.tasks.pageInfo.hasNextPage).toBe(true);
    const next = await server.gql(`query($after: String) { tasks(first: 100, after: $after) { edges { node { id log } } } }`, { after: page.data!.tasks.pageInfo.endCursor });
    expect(next.data!.tasks.edges.map((e: any) => e.node.id)).toEqual([8, 9, 10, 11, 12, 13, 14, 15].map(uuidOf));
    expect(next.data!.tasks.edges[0].node.log).toBe(logOf(8));
  });

  it('streams every task with its whole log, in order', async () => {
    const res = await server.request('GET', '/tasks/status/provisioned');
    expect(res.body.tasks).toHaveLength(count);
    res.body.tasks.forEach((task: any, i: number) => {
      expect(task.uuid).toBe(uuidOf(i));
      if (task.log !== logOf(i)) throw new Error(`log ${i} differs`);
    });
  }, 300_000);

  it('holds the gateway memory flat while a client reads 100 MB of logs: it streams them within a 96 MB heap', async () => {
    // A heap that cannot hold the whole list (the logs alone are 100 MB, their JSON as much again):
    // the listing completes only if pages stay bounded in bytes. With 40 MB it runs out (start-up takes its share).
    const { child, baseUrl } = await startGatewayProcess(server.databaseUrl, ['--max-old-space-size=96']);
    const signer = new TestSigner(testKeys.reader);
    const get = (path: string) => fetch(`${baseUrl}${path}`, { headers: signer.sign({ method: 'GET', host: new URL(baseUrl).host, path }) });
    try {
      await drain(await get('/tasks?limit=1'));
      const baseline = rssOf(child.pid!);
      let peak = baseline;
      const sampler = setInterval(() => (peak = Math.max(peak, rssOf(child.pid!))), 20);
      try {
        const listing = await drain(await get('/tasks/'), 8);
        expect(listing.bytes).toBeGreaterThan(count * 1024 * 1024);
        expect(listing.tail.endsWith('}]}')).toBe(true);
        console.log(`legacy streaming of big logs on ${kind}: ${mb(listing.bytes)} of JSON; gateway RSS ${mb(baseline)} before, peak ${mb(peak)} (growth ${mb(peak - baseline)})`);
      } finally {
        clearInterval(sampler);
      }
      // The whole list as strings and JSON would be over 200 MB; pages of 8 MB of logs keep it to a few of them.
      expect(peak - baseline).toBeLessThan(150 * 1048576);
    } finally {
      child.kill('SIGTERM');
      await new Promise((resolve) => child.once('exit', resolve));
    }
  }, 300_000);
});
