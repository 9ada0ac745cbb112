import 'reflect-metadata';
import 'dotenv/config';
import { loadConfig } from '../config';
import { createDataSource } from './data-source';
import { applyMigrations, pendingMigrations } from './migrate';

/** `npm run migrate` applies pending migrations; `--dry-run` only lists them. */
async function main(): Promise<void> {
  const config = loadConfig();
  const dataSource = createDataSource(config.database);
  await dataSource.initialize();
  try {
    if (process.argv.includes('--dry-run')) {
      const pending = await pendingMigrations(dataSource);
      console.log(pending.length ? `pending migrations:\n${pending.map((n) => `  ${n}`).join('\n')}` : 'no pending migrations');
      return;
    }
    const applied = await applyMigrations(dataSource);
    console.log(applied.length ? `applied:\n${applied.map((n) => `  ${n}`).join('\n')}` : 'the database is up to date');
  } finally {
    await dataSource.destroy();
  }
}

main().catch((error: unknown) => {
  console.error(`taskgate migrate: ${(error as Error).message}`);
  process.exitCode = 1;
});
