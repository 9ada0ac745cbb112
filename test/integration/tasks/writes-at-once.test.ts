import { randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { loadConfig } from '../../../src/config';
import { createDataSource } from '../../../src/db/data-source';
import { Database } from '../../../src/db/database';
import { TaskStatus } from '../../../src/tasks/task-status';
import { type CommittedChange, TaskService } from '../../../src/tasks/task.service';
import { databaseKinds, freshDatabase, type TestDatabase } from '../../helpers/databases';
import { openTaskService } from '../../helpers/task-service';

/**
 * Writes started together: SQLite commits them in one transaction, each in a savepoint of its
 * own (src/db/database.ts); MariaDB runs them side by side. Either way each write gets its own
 * answer, a refused one leaves nothing behind, and only committed writes are announced. The
 * service is driven directly so the writes are started in one turn of the event loop.
 */
describe.each(databaseKinds())('writes started at once on %s', (kind) => {
  let database: TestDatabase;
  let dataSource: DataSource;
  let service: TaskService;
  const announced: CommittedChange[] = [];

  beforeAll(async () => {
    database = await freshDatabase(kind, { migrated: true });
    ({ dataSource, service } = await openTaskService(database));
    service.onCommitted((change) => announced.push(change));
  });
  afterAll(async () => {
    await dataSource.destroy();
    await database.drop();
  });

  it('answers each write on its own: a refused one, even after its task row was written, leaves nothing, and the others are committed with their events', async () => {
    // A deleted task's id is refused only when its first event collides with the kept history,
    // after the task row itself was inserted: that insert must be undone with the refusal.
    const retired = (await service.createTask({ description: 'deleted soon' }, 'tester')).task.uuid;
    await service.deleteTask(retired, 'tester');
    const changed = (await service.createTask({ description: 'changed at once', status: TaskStatus.IN_PROGRESS }, 'tester')).task.uuid;
    const missing = randomUUID();
    announced.length = 0;

    const outcomes = await Promise.allSettled([
      service.createTask({ description: 'first new' }, 'tester'),
      service.createTask({ id: retired, description: 'reusing a deleted id' }, 'tester'),
      service.updateTask(changed, { log: 'changed among others' }, 'tester'),
      service.updateTask(missing, { log: 'nobody' }, 'tester'),
      service.createTask({ description: 'second new' }, 'tester'),
    ]);

    const [first, reused, update, onMissing, second] = outcomes;
    expect(reused).toMatchObject({ status: 'rejected', reason: { code: 'TASK_ALREADY_EXISTS' } });
    expect(onMissing).toMatchObject({ status: 'rejected', reason: { code: 'TASK_NOT_FOUND' } });
    const committed = [first, update, second].map((outcome) => {
      expect(outcome.status).toBe('fulfilled');
      return (outcome as PromiseFulfilledResult<CommittedChange>).value;
    });
    expect(committed.map((change) => change.task.description)).toEqual(['first new', 'changed at once', 'second new']);
    expect(committed[1].task).toMatchObject({ log: 'changed among others', version: 2 });

    expect(await service.getTask(retired)).toBeNull();
    for (const change of committed) {
      expect(await service.getTask(change.task.uuid)).toMatchObject({ version: change.task.version, log: change.task.log });
    }
    const history = await service.historyOf([retired, ...committed.map((change) => change.task.uuid)], 10);
    expect(history.get(retired)!.map((event) => event.kind)).toEqual(['CREATED', 'DELETED']);
    for (const change of committed) expect(history.get(change.task.uuid)!.at(-1)).toMatchObject({ id: change.event.id, version: change.task.version });

    // Announced once each, committed writes only.
    expect(announced.map((change) => change.event.id).sort()).toEqual(committed.map((change) => change.event.id).sort());
  });
});

// better-sqlite3 ships no types; this suite writes with it as a second process would.
const SqliteConnection: new (file: string) => { pragma(sql: string): unknown; prepare(sql: string): { run(...params: unknown[]): unknown }; close(): void } = require('better-sqlite3');

describe('writes committed in one SQLite group while another process writes', () => {
  let database: TestDatabase;
  let dataSource: DataSource;

  beforeAll(async () => {
    database = await freshDatabase('sqlite', { migrated: true });
    dataSource = createDataSource(loadConfig({ NODE_ENV: 'test', DATABASE_URL: database.url }).database);
    await dataSource.initialize();
  });
  afterAll(async () => {
    await dataSource.destroy();
    await database.drop();
  });

  it('commits every write of the group even when another process tries to write while the group has read', async () => {
    const db = new Database(dataSource);
    const service = new TaskService(db, { maxPageSize: 100 });
    const [first, second] = [await service.createTask({ description: 'first' }, 'tester'), await service.createTask({ description: 'second' }, 'tester')];
    const other = new SqliteConnection(database.url.replace(/^sqlite:/, ''));
    other.pragma('busy_timeout = 0');
    const otherWrites: string[] = [];
    const change = (uuid: string, description: string, meanwhile: () => void) =>
      db.transaction(async (tx) => {
        await tx.select('SELECT version FROM tasks WHERE uuid = ?', [uuid]);
        meanwhile();
        return (await tx.write('UPDATE tasks SET description = ? WHERE uuid = ?', [description, uuid])).affected;
      });
    try {
      // The other process's write either waits for the group or is told the database is busy;
      // it must never make the group's own writes fail.
      const writeFromOtherProcess = () => {
        try {
          other.prepare('UPDATE tasks SET description = ? WHERE uuid = ?').run('from the other process', second.task.uuid);
          otherWrites.push('written');
        } catch (error) {
          otherWrites.push((error as { code?: string }).code ?? 'failed');
        }
      };
      const results = await Promise.all([change(first.task.uuid, 'first, changed', writeFromOtherProcess), change(second.task.uuid, 'second, changed', () => undefined)]);
      expect(results).toEqual([1, 1]);
      expect(otherWrites).toEqual(['SQLITE_BUSY']);
      expect((await service.getTask(first.task.uuid))?.description).toBe('first, changed');
      expect((await service.getTask(second.task.uuid))?.description).toBe('second, changed');
    } finally {
      other.close();
    }
  });
});
