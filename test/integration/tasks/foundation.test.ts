import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createDataSource } from '../../../src/db/data-source';
import { pendingMigrations } from '../../../src/db/migrate';
import { loadConfig, parseDatabaseUrl } from '../../../src/config';
import { schemaSdl } from '../../../src/schema';
import { databaseKinds } from '../../helpers/databases';
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
        ['created_at', 'created_by', 'description', 'last_update', 'log', 'object_uuid', 'status', 'type', 'uuid', 'version'].sort(),
      );
      expect(events?.columns.map((c) => c.name).sort()).toEqual(
        ['changed_at', 'changed_by', 'id', 'log', 'previous_status', 'status', 'task_uuid', 'version'].sort(),
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

  it('lists the migrations still to apply on a database that has none', async () => {
    const server = await startServer(kind, { TASKGATE_MIGRATE: 'off' });
    try {
      expect(await pendingMigrations(server.app.dataSource)).toEqual(['CreateTasks1764100000000', 'CreateKeys1764200000000', 'EventClock1764300000000', 'ReplayClaims1764410000000']);
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
