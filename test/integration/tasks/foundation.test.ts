import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { DataSource } from 'typeorm';
import { createDataSource, dataSourceOptions } from '../../../src/db/data-source';
import { migrations } from '../../../src/db/migrations';
import { pendingMigrations } from '../../../src/db/migrate';
import { loadConfig, parseDatabaseUrl } from '../../../src/config';
import { schemaSdl } from '../../../src/schema';
import { databaseKinds, freshDatabase } from '../../helpers/databases';
import { startServer } from '../../helpers/server';

const root = resolve(__dirname, '..', '..', '..');

describe.each(databaseKinds())('migrations on %s', (kind) => {
  it('creates both tables from an empty database and leaves nothing pending', async () => {
    const server = await startServer(kind);
    try {
      const runner = server.app.dataSource.createQueryRunner();
      const tasks = await runner.getTable('tasks');
      const events = await runner.getTable('task_events');
      await runner.release();
      expect(tasks?.columns.map((c) => c.name).sort()).toEqual(
        ['created_at', 'created_by', 'description', 'last_update', 'log', 'log_bytes', 'object_uuid', 'stage', 'status', 'type', 'uuid', 'version'].sort(),
      );
      expect(events?.columns.map((c) => c.name).sort()).toEqual(
        ['changed_at', 'changed_by', 'id', 'kind', 'log', 'previous_stage', 'previous_status', 'stage', 'status', 'task_uuid', 'version'].sort(),
      );
      expect(await pendingMigrations(server.app.dataSource)).toEqual([]);
      // The entity metadata matches the migrated tables: TypeORM would generate no change.
      // SQLite is the one exception: it auto-increments only an INTEGER PRIMARY KEY (64-bit
      // there), so the migration gives task_events.id that type where the entity says bigint.
      const sql = await server.app.dataSource.driver.createSchemaBuilder().log();
      const changes = sql.upQueries.map((q) => q.query);
      if (kind === 'sqlite') {
        expect(changes.every((q) => q.includes('task_events'))).toBe(true);
        expect(changes.some((q) => q.includes('"id" bigint PRIMARY KEY AUTOINCREMENT'))).toBe(true);
      } else {
        expect(changes).toEqual([]);
      }
    } finally {
      await server.stop();
    }
  });

  it('keeps existing tasks and history when words and big logs arrive: each gets its phase\'s word, logs stay whole', async () => {
    const database = await freshDatabase(kind);
    // The schema as it was before status words: the first three migrations, and rows written then.
    const before = new DataSource({ ...dataSourceOptions({ ...parseDatabaseUrl(database.url), poolSize: 2 }), migrations: migrations.slice(0, 3) });
    await before.initialize();
    await before.runMigrations();
    const at = '2026-11-01 10:00:00.000';
    const oldLog = 'l'.repeat(60_000);
    const id = '6f1c3a2e-4b5d-4e6f-8a9b-0c1d2e3f4a5b';
    await before.query(
      'INSERT INTO tasks (uuid, description, status, type, object_uuid, created_at, created_by, last_update, log, version) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
      [id, 'from before', 'SUCCESS', 'create_instance', null, at, 'old', at, oldLog, 3],
    );
    const events: [number, string, string | null, string | null][] = [
      [1, 'PENDING', null, null],
      [2, 'IN_PROGRESS', 'PENDING', 'working'],
      [3, 'SUCCESS', 'IN_PROGRESS', oldLog],
    ];
    for (const [version, status, previous, log] of events) {
      await before.query(
        'INSERT INTO task_events (task_uuid, version, status, previous_status, log, changed_at, changed_by) VALUES (?, ?, ?, ?, ?, ?, ?)',
        [id, version, status, previous, log, at, 'old'],
      );
    }
    await before.destroy();
    const server = await startServer(kind, { DATABASE_URL: database.url });
    try {
      const result = await server.gql(`query($id: ID!) { task(id: $id) { status stage log version history { kind stage previousStage status log } } }`, { id });
      expect(result.errors).toBeUndefined();
      const task = result.data!.task;
      expect({ ...task, log: task.log.length, history: undefined }).toEqual({ status: 'SUCCESS', stage: 'sucess', log: 60_000, version: 3, history: undefined });
      expect(task.history.map((e: any) => [e.kind, e.stage, e.previousStage, e.status])).toEqual([
        ['CREATED', 'pending', null, 'PENDING'],
        ['UPDATED', 'in progress', 'pending', 'IN_PROGRESS'],
        ['UPDATED', 'sucess', 'in progress', 'SUCCESS'],
      ]);
      expect(task.history[2].log).toBe(oldLog);
      expect((await server.request('GET', `/tasks/${id}`)).body).toMatchObject({ status: 'sucess', log: oldLog });
      // The log columns now take several MB (LONGTEXT on MySQL/MariaDB).
      const big = 'b'.repeat(6 * 1024 * 1024);
      expect((await server.request('PUT', `/tasks/${id}`, { body: JSON.stringify({ log: big }) })).status).toBe(200);
      expect((await server.request('GET', `/tasks/${id}`)).body.log).toBe(big);
    } finally {
      await server.stop();
      await database.drop();
    }
  });

  it('lists the migrations still to apply on a database that has none', async () => {
    const server = await startServer(kind, { TASKGATE_MIGRATE: 'off' });
    try {
      expect(await pendingMigrations(server.app.dataSource)).toEqual([
        'CreateTasks1764100000000',
        'CreateKeys1764200000000',
        'EventClock1764300000000',
        'ReplayClaims1764410000000',
        'StatusWordsAndBigLogs1764411000000',
        'StoredLogBytes1764500000000',
        'EventCommitProcedure1764600000000',
      ]);
    } finally {
      await server.stop();
    }
  });
});

describe('the committed schema.graphql', () => {
  it('is exactly what the resolvers build', async () => {
    expect(readFileSync(join(root, 'schema.graphql'), 'utf8')).toBe(await schemaSdl());
  });
});

describe('configuration', () => {
  it('reads every documented DATABASE_URL form', () => {
    expect(parseDatabaseUrl('sqlite::memory:')).toEqual({ kind: 'sqlite', path: ':memory:' });
    expect(parseDatabaseUrl('sqlite:/var/lib/taskgate.db')).toEqual({ kind: 'sqlite', path: '/var/lib/taskgate.db' });
    expect(parseDatabaseUrl('mysql://u:p%40ss@db:3307/tasks')).toMatchObject({ kind: 'mysql', host: 'db', port: 3307, user: 'u', password: 'p@ss', database: 'tasks' });
    expect(parseDatabaseUrl('mariadb://root@127.0.0.1/test')).toMatchObject({ kind: 'mysql', port: 3306, database: 'test' });
  });

  it('stops the start naming the bad variable, without echoing a database password', async () => {
    expect(() => loadConfig({ PORT: 'eighty' })).toThrow(/PORT/);
    expect(() => loadConfig({ DATABASE_POOL_SIZE: '0' })).toThrow(/DATABASE_POOL_SIZE: must be a positive whole number/);
    let message = '';
    try {
      loadConfig({ DATABASE_URL: 'postgres://admin:hunter2@db/tasks' });
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toMatch(/DATABASE_URL: expected sqlite:<path>/);
    expect(message).not.toContain('hunter2');
  });

  it('builds the TypeORM CLI data source from the same options as the app', () => {
    const dataSource = createDataSource({ kind: 'sqlite', path: ':memory:', poolSize: 1 });
    expect(dataSource.options.type).toBe('better-sqlite3');
    expect(dataSource.migrations).toBeDefined();
  });
});

describe('npm start on a fresh directory', () => {
  it('creates the SQLite file under ./data and serves GraphQL', async () => {
    const cwd = mkdtempSync(join(tmpdir(), 'taskgate-start-'));
    const child = spawn(process.execPath, [join(root, 'dist', 'src', 'main.js')], {
      cwd,
      env: { PATH: process.env.PATH, PORT: '0', HOST: '127.0.0.1', TASKGATE_AUTH: 'off' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    try {
      const url = await new Promise<string>((resolveUrl, reject) => {
        let out = '';
        child.stdout.on('data', (chunk: Buffer) => {
          out += chunk.toString();
          const match = /"url":"(http:[^"]+)"/.exec(out);
          if (match) resolveUrl(match[1]);
        });
        child.on('exit', (code) => reject(new Error(`server exited with ${code}: ${out}`)));
      });
      expect(existsSync(join(cwd, 'data', 'taskgate.db'))).toBe(true);
      const response = await fetch(url.replace('localhost', '127.0.0.1'), {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query: '{ tasks { totalCount } }' }),
      });
      expect(response.status).toBe(200);
      expect(await response.json()).toEqual({ data: { tasks: { totalCount: 0 } } });
    } finally {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
      rmSync(cwd, { recursive: true, force: true });
    }
  });
});
