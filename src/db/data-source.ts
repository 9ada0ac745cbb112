import 'reflect-metadata';
import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { DataSource, type DataSourceOptions } from 'typeorm';
import type { AppConfig } from '../config';
import { TaskEntity } from '../tasks/task.entity';
import { TaskEventEntity } from '../tasks/task-event.entity';
import { migrations } from './migrations';

/**
 * The one definition of how taskgate talks to its database. The app and the TypeORM CLI
 * (through ormconfig.ts) both build their DataSource from here.
 */
export function dataSourceOptions(database: AppConfig['database']): DataSourceOptions {
  const common = {
    entities: [TaskEntity, TaskEventEntity],
    migrations,
    migrationsTableName: 'migrations',
    synchronize: false,
    logging: false,
  };
  if (database.kind === 'sqlite') {
    const file = database.path === ':memory:' ? ':memory:' : resolve(database.path);
    if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true });
    return {
      ...common,
      type: 'better-sqlite3',
      database: file,
      // WAL lets readers go on while a write commits; busy_timeout rides out a second process's write.
      prepareDatabase: (db: { pragma(sql: string): unknown }) => {
        if (file !== ':memory:') db.pragma('journal_mode = WAL');
        db.pragma('busy_timeout = 5000');
        db.pragma('synchronous = NORMAL');
      },
    };
  }
  return {
    ...common,
    type: database.flavor,
    host: database.host,
    port: database.port,
    username: database.user,
    password: database.password,
    database: database.database,
    // Store and read every DATETIME as UTC, whatever the server's zone.
    timezone: 'Z',
    charset: 'utf8mb4',
    poolSize: database.poolSize,
    // connectTimeout bounds how long a request waits for a database that is down (fail fast, 503).
    extra: { connectionLimit: database.poolSize, enableKeepAlive: true, connectTimeout: database.connectTimeoutMs ?? 3000 },
  };
}

/**
 * Task and event logs run to several MB: MySQL/MariaDB keep them in LONGTEXT (the
 * StatusWordsAndBigLogs migration), SQLite's TEXT holds them as it is. Entity decorators cannot
 * say one type per database (TypeORM refuses `longtext` on SQLite), so a MySQL data source
 * says it in its own metadata once built: the schema it expects is the schema it has.
 */
class TaskgateDataSource extends DataSource {
  protected override async buildMetadatas(): Promise<void> {
    await super.buildMetadatas();
    if (this.options.type === 'better-sqlite3') return;
    for (const entity of [TaskEntity, TaskEventEntity]) {
      const log = this.getMetadata(entity).findColumnWithPropertyName('log');
      if (log) log.type = 'longtext';
    }
  }
}

export function createDataSource(database: AppConfig['database']): DataSource {
  return new TaskgateDataSource(dataSourceOptions(database));
}
