import type { DataSource } from 'typeorm';
import { loadConfig } from '../../src/config';
import { createDataSource } from '../../src/db/data-source';
import { Database } from '../../src/db/database';
import { TaskService } from '../../src/tasks/task.service';
import type { TestDatabase } from './databases';

/**
 * The task service straight on a test database, migrated, without a server: for suites that
 * start writes in one turn of the event loop or step through a transaction themselves. The
 * suite destroys `dataSource` when it is done.
 */
export async function openTaskService(database: TestDatabase): Promise<{ dataSource: DataSource; db: Database; service: TaskService }> {
  const dataSource = createDataSource(loadConfig({ NODE_ENV: 'test', DATABASE_URL: database.url }).database);
  await dataSource.initialize();
  await dataSource.runMigrations({ transaction: 'each' });
  const db = new Database(dataSource);
  return { dataSource, db, service: new TaskService(db, { maxPageSize: 100 }) };
}
