import type { DataSource } from 'typeorm';
import type { Logger } from '../ops/logger';
import { withDatabaseLock } from './lock';

/** Names of the migrations the database has not applied yet. */
export async function pendingMigrations(dataSource: DataSource): Promise<string[]> {
  const applied = new Set<string>();
  const runner = dataSource.createQueryRunner();
  try {
    if (await runner.hasTable(dataSource.options.migrationsTableName ?? 'migrations')) {
      const rows = (await runner.query(`SELECT name FROM ${dataSource.options.migrationsTableName ?? 'migrations'}`)) as { name: string }[];
      for (const row of rows) applied.add(row.name);
    }
  } finally {
    await runner.release();
  }
  return dataSource.migrations.map((m) => m.name ?? m.constructor.name).filter((name) => !applied.has(name));
}

/**
 * Applies every pending migration, each in its own transaction; returns the names applied.
 * Under a database-level lock: two instances started at once on a fresh database take turns, and
 * the second finds nothing left to do (instead of dying on "table already exists").
 */
export async function applyMigrations(dataSource: DataSource, logger?: Logger): Promise<string[]> {
  return withDatabaseLock(
    dataSource,
    'migrate',
    async () => {
      const done = await dataSource.runMigrations({ transaction: 'each' });
      return done.map((m) => m.name);
    },
    { onWait: () => logger?.info('another instance is applying the migrations; waiting for it') },
  );
}
