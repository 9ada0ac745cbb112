import { randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { loadConfig } from '../../../src/config';
import { createDataSource } from '../../../src/db/data-source';
import { Database } from '../../../src/db/database';
import { TaskStatus } from '../../../src/tasks/task-status';
import { type CommittedChange, TaskService } from '../../../src/tasks/task.service';
import { databaseKinds, freshDatabase, type TestDatabase } from '../../helpers/databases';

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
    dataSource = createDataSource(loadConfig({ NODE_ENV: 'test', DATABASE_URL: database.url }).database);
    await dataSource.initialize();
    await dataSource.runMigrations({ transaction: 'each' });
    service = new TaskService(new Database(dataSource), { maxPageSize: 100 });
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
