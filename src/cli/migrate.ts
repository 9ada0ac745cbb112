import { createDataSource } from '../db/data-source';
import { applyMigrations, pendingMigrations } from '../db/migrate';
import type { AppConfig } from '../config';

/** `taskgate migrate`: applies pending migrations, or with `dryRun` only lists them. Returns the lines to print. */
export async function migrate(config: AppConfig, options: { dryRun: boolean }): Promise<string> {
  const dataSource = createDataSource(config.database);
  await dataSource.initialize();
  try {
    if (options.dryRun) {
      const pending = await pendingMigrations(dataSource);
      return pending.length ? `pending migrations:\n${pending.map((n) => `  ${n}`).join('\n')}` : 'no pending migrations';
    }
    const applied = await applyMigrations(dataSource);
    return applied.length ? `applied:\n${applied.map((n) => `  ${n}`).join('\n')}` : 'the database is up to date';
  } finally {
    await dataSource.destroy();
  }
}
