import { DataSource } from 'typeorm';
import { parseDatabaseUrl } from '../../../src/config';
import { dataSourceOptions } from '../../../src/db/data-source';
import { formatDbTime } from '../../../src/db/database';
import { migrations } from '../../../src/db/migrations';
import { databaseKinds, type DatabaseKind, freshDatabase } from '../../helpers/databases';
import { startServer, type TestServer } from '../../helpers/server';

/** Uuid of the i-th seeded task: sorts the same way as the creation order. */
const uuidOf = (i: number) => `00000000-0000-4000-8000-${i.toString(16).padStart(12, '0')}`;
/** Characters of each seeded log, around the inline bound (65,536 bytes) and past the stream's 2 MB page target. */
const logSizes = [0, 10, 65_535, 65_536, 1_500_000, 2_200_000, 300_000, 5, 1_048_576, 70_000, 2_000_000, 12];
/** Odd ones carry an é (one more byte); even ones are ASCII, which MySQL's whole-log reads decode another way. */
const logOf = (i: number) => (logSizes[i] === 0 ? null : `${i} "${i % 2 ? 'é' : 'e'}"\n`.padEnd(logSizes[i], String.fromCharCode(97 + (i % 26))));
const insert =
  'INSERT INTO tasks (uuid, description, status, stage, type, object_uuid, created_at, created_by, last_update, log, version) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)';

async function sizesOf(query: (sql: string) => Promise<any[]>): Promise<[string, number | null, number | null][]> {
  const rows = await query('SELECT uuid, log_bytes, OCTET_LENGTH(log) AS actual FROM tasks ORDER BY uuid');
  return rows.map((row) => [row.uuid, row.log_bytes === null ? null : Number(row.log_bytes), row.actual === null ? null : Number(row.actual)]);
}

describe.each(databaseKinds())('the legacy list of tasks with big logs on %s', (kind) => {
  let server: TestServer;

  beforeAll(async () => {
    server = await startServer(kind);
    const start = Date.UTC(2017, 0, 1);
    for (let i = 0; i < logSizes.length; i++) {
      const at = formatDbTime(new Date(start + i * 1000));
      await server.app.dataSource.query(insert, [uuidOf(i), `task ${i}`, 'SUCCESS', 'provisioned', 'create_container', null, at, 'seeder', at, logOf(i), 1]);
    }
  }, 120_000);
  afterAll(async () => {
    await server?.stop();
  });

  it('streams byte for byte what the one-task pages of ?limit=1 say, every log whole', async () => {
    const pages: unknown[] = [];
    let next: string | null = null;
    do {
      const page: any = await server.request('GET', `/tasks/?limit=1${next ? `&after=${encodeURIComponent(next)}` : ''}`);
      expect(page.status).toBe(200);
      pages.push(...page.body.tasks);
      next = page.body.next;
    } while (next);
    const streamed = await server.request('GET', '/api/virtshell/v1/tasks/');
    expect(streamed.status).toBe(200);
    expect(streamed.text === JSON.stringify({ tasks: pages })).toBe(true);
    const tasks: any[] = streamed.body.tasks;
    expect(tasks.map((task) => task.uuid)).toEqual(logSizes.map((_, i) => uuidOf(i)));
    tasks.forEach((task, i) => {
      if (task.log !== logOf(i)) throw new Error(`log ${i} (${logSizes[i]} bytes) differs`);
    });
  }, 120_000);

  it('keeps each task\'s stored log size right through SQL writes and API creates and updates', async () => {
    const query = (sql: string) => server.app.dataSource.query(sql);
    const created = await server.gql(`mutation($log: String) { createTask(input: {description: "sized", type: "probe", log: $log}) { id } }`, { log: 'é'.repeat(40_000) });
    expect(created.errors).toBeUndefined();
    const id = created.data!.createTask.id;
    const update = async (input: Record<string, unknown>) => {
      const result = await server.gql(`mutation($id: ID!, $input: UpdateTaskInput!) { updateTask(id: $id, input: $input) { version } }`, { id, input });
      expect(result.errors).toBeUndefined();
    };
    await update({ log: 'small' });
    await update({ stage: 'dispatching' });
    await update({ log: 'x'.repeat(100_000) });
    await server.app.dataSource.query(`UPDATE tasks SET log = NULL WHERE uuid = '${uuidOf(1)}'`);
    const sizes = await sizesOf(query);
    expect(sizes.find(([uuid]) => uuid === id)).toEqual([id, 100_000, 100_000]);
    for (const [uuid, stored, actual] of sizes) expect([uuid, stored]).toEqual([uuid, actual]);
    const page = await server.gql(`query($id: ID!) { task(id: $id) { log } }`, { id });
    expect(page.data!.task.log).toBe('x'.repeat(100_000));
  }, 120_000);
});

/**
 * A database migrated up to just before StoredLogBytes, prepared by `before`, then migrated to
 * the end and handed to `after`; dropped at the end.
 */
async function acrossStoredLogBytes(kind: DatabaseKind, before: (db: DataSource) => Promise<void>, after: (db: DataSource) => Promise<void>): Promise<void> {
  const database = await freshDatabase(kind);
  const options = { ...dataSourceOptions({ ...parseDatabaseUrl(database.url), poolSize: 2 }) };
  const older = new DataSource({ ...options, migrations: migrations.filter((m) => m.name !== 'StoredLogBytes1764500000000') });
  try {
    await older.initialize();
    await older.runMigrations();
    await before(older);
    await older.destroy();
    const newer = new DataSource({ ...options, migrations });
    await newer.initialize();
    try {
      await newer.runMigrations();
      await after(newer);
    } finally {
      await newer.destroy();
    }
  } finally {
    if (older.isInitialized) await older.destroy();
    await database.drop();
  }
}

const at = '2026-11-01 10:00:00.000';

describe.each(databaseKinds())('adding stored log sizes to an existing database on %s', (kind) => {
  it('fills the size of every task already there, and keeps it on the writes after', async () => {
    await acrossStoredLogBytes(
      kind,
      async (before) => {
        for (let i = 0; i < logSizes.length; i++) await before.query(insert, [uuidOf(i), `old ${i}`, 'SUCCESS', 'provisioned', null, null, at, 'old', at, logOf(i), 1]);
      },
      async (after) => {
        const query = (sql: string) => after.query(sql);
        const filled = await sizesOf(query);
        expect(filled.map(([, stored]) => stored)).toEqual(logSizes.map((_, i) => (logSizes[i] === 0 ? null : Buffer.byteLength(logOf(i)!))));
        await after.query(`UPDATE tasks SET log = 'now short' WHERE uuid = '${uuidOf(5)}'`);
        await after.query(insert, [uuidOf(99), 'new', 'PENDING', 'pending', null, null, at, 'new', at, 'a new log', 1]);
        const kept = await sizesOf(query);
        expect(kept.find(([uuid]) => uuid === uuidOf(5))).toEqual([uuidOf(5), 9, 9]);
        expect(kept.find(([uuid]) => uuid === uuidOf(99))).toEqual([uuidOf(99), 9, 9]);
        // And back: the down migration leaves the table as it was.
        await after.undoLastMigration();
        const runner = after.createQueryRunner();
        expect((await runner.getTable('tasks'))?.findColumnByName('log_bytes')).toBeUndefined();
        await runner.release();
      },
    );
  }, 120_000);

  it('runs again after stopping half-way (the column added, a trigger refused) and finishes the job', async () => {
    await acrossStoredLogBytes(
      kind,
      async (before) => {
        await before.query(insert, [uuidOf(1), 'old', 'SUCCESS', 'provisioned', null, null, at, 'old', at, 'an old log', 1]);
        // What MySQL keeps of a run whose first trigger was refused: DDL commits statement by statement.
        await before.query('ALTER TABLE tasks ADD COLUMN log_bytes BIGINT NULL');
      },
      async (after) => {
        await after.query(insert, [uuidOf(2), 'new', 'PENDING', 'pending', null, null, at, 'new', at, 'a newer log', 1]);
        expect(await sizesOf((sql: string) => after.query(sql))).toEqual([
          [uuidOf(1), 10, 10],
          [uuidOf(2), 11, 11],
        ]);
      },
    );
  }, 120_000);
});
