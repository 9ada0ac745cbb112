import type { DataSource } from 'typeorm';
import { loadConfig } from '../../../src/config';
import { createDataSource } from '../../../src/db/data-source';
import { Database } from '../../../src/db/database';
import { TaskStatus } from '../../../src/tasks/task-status';
import { type CommittedChange, TaskService } from '../../../src/tasks/task.service';
import { TaskStore } from '../../../src/tasks/task.store';
import { TaskEventKind } from '../../../src/tasks/task-event.entity';
import { databaseKinds, freshDatabase, type TestDatabase } from '../../helpers/databases';
import { openTaskService } from '../../helpers/task-service';

/**
 * A write's last step: on MariaDB the UPDATE, the event INSERT under the clock row and the COMMIT
 * go in one round trip (migration EventCommitProcedure); on SQLite they are statements of the
 * write's group. Either way the event is committed with the change or neither is.
 */
describe.each(databaseKinds())('the last step of a write on %s', (kind) => {
  let database: TestDatabase;
  let dataSource: DataSource;
  let db: Database;
  let service: TaskService;
  const announced: CommittedChange[] = [];

  beforeAll(async () => {
    database = await freshDatabase(kind, { migrated: true });
    ({ dataSource, db, service } = await openTaskService(database));
    service.onCommitted((change) => announced.push(change));
  });
  afterAll(async () => {
    await dataSource.destroy();
    await database.drop();
  });

  it('stores the change and its event together, the event under the id the write answered', async () => {
    const created = await service.createTask({ description: 'stored together', status: TaskStatus.IN_PROGRESS }, 'tester');
    const updated = await service.updateTask(created.task.uuid, { stage: 'compiling', log: 'log ✓ 1' }, 'someone');

    const [row] = await dataSource.query('SELECT task_uuid, kind, version, status, previous_status, stage, previous_stage, log, changed_by FROM task_events WHERE id = ?', [updated.event.id]);
    expect(row).toMatchObject({
      task_uuid: created.task.uuid,
      kind: 'UPDATED',
      version: 2,
      status: 'IN_PROGRESS',
      previous_status: 'IN_PROGRESS',
      stage: 'compiling',
      previous_stage: 'in progress',
      log: 'log ✓ 1',
      changed_by: 'someone',
    });
    expect(Number(updated.event.id)).toBeGreaterThan(Number(created.event.id));
    expect(await service.getTask(created.task.uuid)).toMatchObject({ stage: 'compiling', log: 'log ✓ 1', version: 2 });
  });

  it('carries a log of megabytes with characters outside the BMP into the task and its event byte for byte', async () => {
    const log = '🚀 step é "quoted" \\ done\n'.repeat(100_000);
    const created = await service.createTask({ description: 'big log', status: TaskStatus.IN_PROGRESS }, 'tester');
    const updated = await service.updateTask(created.task.uuid, { log }, 'tester');

    const [task] = await dataSource.query('SELECT log FROM tasks WHERE uuid = ?', [created.task.uuid]);
    const [event] = await dataSource.query('SELECT log FROM task_events WHERE id = ?', [updated.event.id]);
    expect(Buffer.byteLength(log)).toBeGreaterThan(2_000_000);
    expect(task.log === log).toBe(true);
    expect(event.log === log).toBe(true);
  });

  it('keeps the stored log when a change brings none, and records no log in its event', async () => {
    const created = await service.createTask({ description: 'log kept', status: TaskStatus.IN_PROGRESS, log: 'first log' }, 'tester');
    const updated = await service.updateTask(created.task.uuid, { status: TaskStatus.SUCCESS }, 'tester');

    expect(await service.getTask(created.task.uuid)).toMatchObject({ status: 'SUCCESS', log: 'first log', version: 2 });
    const [row] = await dataSource.query('SELECT log, status FROM task_events WHERE id = ?', [updated.event.id]);
    expect(row).toMatchObject({ log: null, status: 'SUCCESS' });
  });

  it('refuses a write when the event clock has no row, leaving the task and its history as they were and announcing nothing', async () => {
    const created = await service.createTask({ description: 'no clock', status: TaskStatus.IN_PROGRESS }, 'tester');
    const tasksBefore = await service.countTasks({});
    announced.length = 0;
    await dataSource.query('DELETE FROM task_event_clock');
    try {
      await expect(service.updateTask(created.task.uuid, { log: 'lost?' }, 'tester')).rejects.toThrow(/task_event_clock has no row 1/);
      await expect(service.createTask({ description: 'never stored' }, 'tester')).rejects.toThrow(/task_event_clock has no row 1/);
    } finally {
      await dataSource.query('INSERT INTO task_event_clock (id, ticks) VALUES (1, 0)');
    }

    expect(await service.getTask(created.task.uuid)).toMatchObject({ version: 1, log: null });
    expect((await service.historyOf([created.task.uuid], 10)).get(created.task.uuid)!.map((event) => event.version)).toEqual([1]);
    expect(await service.countTasks({})).toBe(tasksBefore);
    expect(announced).toEqual([]);
    // The connection the refused write used is usable again, outside any transaction.
    expect((await service.updateTask(created.task.uuid, { log: 'after' }, 'tester')).task.version).toBe(2);
  });

  it('writes nothing and commits nothing when the row has moved on from the version the write read, and the transaction still ends cleanly', async () => {
    const created = await service.createTask({ description: 'moved on', status: TaskStatus.IN_PROGRESS }, 'tester');
    const store = new TaskStore(db);
    const outcome = await db.transaction(async (tx) => {
      const current = (await store.lockById(tx, created.task.uuid))!;
      const stale = { ...current, version: current.version + 5 };
      const next = { ...current, log: 'never', lastUpdate: new Date(), version: stale.version + 1 };
      const event = { taskUuid: next.uuid, kind: TaskEventKind.UPDATED, version: next.version, status: next.status, previousStatus: current.status, stage: next.stage, previousStage: current.stage, log: 'never', at: next.lastUpdate, by: 'tester' };
      return store.updateAndAppendEvent(tx, next, stale, 'never', event);
    });

    expect(outcome).toBeNull();
    expect(await service.getTask(created.task.uuid)).toMatchObject({ version: 1, log: null });
    expect((await service.historyOf([created.task.uuid], 10)).get(created.task.uuid)!.map((event) => event.version)).toEqual([1]);
    expect((await service.updateTask(created.task.uuid, { log: 'after' }, 'tester')).task.version).toBe(2);
  });
});

/** MariaDB/MySQL only: SQLite has no database collation to choose. */
const mariadbOnly = databaseKinds().filter((kind) => kind === 'mariadb');

describe.each(mariadbOnly)('a write on %s whose database collation is not the server default', (kind) => {
  let database: TestDatabase;
  let dataSource: DataSource;
  let service: TaskService;

  beforeAll(async () => {
    database = await freshDatabase(kind, { mysqlCollation: 'utf8mb4_unicode_ci' });
    ({ dataSource, service } = await openTaskService(database));
  });
  afterAll(async () => {
    await dataSource.destroy();
    await database.drop();
  });

  it('updates the task and records its event, as on a database of the server default collation', async () => {
    const created = await service.createTask({ description: 'unicode_ci', status: TaskStatus.IN_PROGRESS }, 'tester');
    const updated = await service.updateTask(created.task.uuid, { stage: 'compiling', log: 'log 🚀' }, 'someone');

    expect(updated.task.version).toBe(2);
    expect(await service.getTask(created.task.uuid)).toMatchObject({ stage: 'compiling', log: 'log 🚀', version: 2 });
    const [row] = await dataSource.query('SELECT task_uuid, version, log, changed_by FROM task_events WHERE id = ?', [updated.event.id]);
    expect(row).toMatchObject({ task_uuid: created.task.uuid, version: 2, log: 'log 🚀', changed_by: 'someone' });
  });
});

describe.each(mariadbOnly)('a transaction on %s whose last step committed', (kind) => {
  let database: TestDatabase;
  let dataSource: DataSource;
  let db: Database;
  let service: TaskService;

  beforeAll(async () => {
    database = await freshDatabase(kind, { migrated: true });
    ({ dataSource, db, service } = await openTaskService(database));
  });
  afterAll(async () => {
    await dataSource.destroy();
    await database.drop();
  });

  it('refuses a statement sent after the procedure committed rather than writing it outside the transaction', async () => {
    const created = await service.createTask({ description: 'after commit', status: TaskStatus.IN_PROGRESS }, 'tester');
    const store = new TaskStore(db);
    const attempt = db.transaction(async (tx) => {
      const current = (await store.lockById(tx, created.task.uuid))!;
      const next = { ...current, log: 'committed', lastUpdate: new Date(), version: current.version + 1 };
      const event = { taskUuid: next.uuid, kind: TaskEventKind.UPDATED, version: next.version, status: next.status, previousStatus: current.status, stage: next.stage, previousStage: current.stage, log: 'committed', at: next.lastUpdate, by: 'tester' };
      await store.updateAndAppendEvent(tx, next, current, 'committed', event);
      await tx.write('UPDATE tasks SET description = ? WHERE uuid = ?', ['written past the commit', created.task.uuid]);
    });

    await expect(attempt).rejects.toThrow(/has committed/);
    expect(await service.getTask(created.task.uuid)).toMatchObject({ description: 'after commit', log: 'committed', version: 2 });
  });
});

describe.each(mariadbOnly)('migrating a database on %s as a user without CREATE ROUTINE', (kind) => {
  it('stops with an error that names the missing privilege', async () => {
    const database = await freshDatabase(kind);
    const url = new URL(database.url);
    const name = url.pathname.slice(1);
    const user = `${name.slice(-10)}_nr`;
    const root = createDataSource(loadConfig({ NODE_ENV: 'test', DATABASE_URL: database.url }).database);
    await root.initialize();
    try {
      await root.query(`CREATE USER '${user}'@'%' IDENTIFIED BY 'pw'`);
      await root.query(`GRANT ALL ON ${name}.* TO '${user}'@'%'`);
      await root.query(`REVOKE CREATE ROUTINE ON ${name}.* FROM '${user}'@'%'`);
      url.username = user;
      url.password = 'pw';
      const limited = createDataSource(loadConfig({ NODE_ENV: 'test', DATABASE_URL: url.toString() }).database);
      await limited.initialize();
      try {
        await expect(limited.runMigrations({ transaction: 'each' })).rejects.toThrow(/needs the CREATE ROUTINE privilege/);
      } finally {
        await limited.destroy();
      }
    } finally {
      await root.query(`DROP USER IF EXISTS '${user}'@'%'`);
      await root.destroy();
      await database.drop();
    }
  });
});
