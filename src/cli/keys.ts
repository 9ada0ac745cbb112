import type { Command } from 'commander';
import { createKey, listKeys, revokeKey } from '../auth/keys-commands';
import type { AppConfig } from '../config';
import { createDataSource } from '../db/data-source';
import { applyMigrations } from '../db/migrate';

/** What a command needs from the CLI around it: where to print, configuration, how to fail. */
export interface KeyCommandIo {
  out(line: string): void;
  config(): AppConfig;
  fail(message: string, exitCode: number): never;
}

/** `taskgate keys create|list|revoke`. */
export function addKeyCommands(program: Command, io: KeyCommandIo): void {
  const keys = program.command('keys').description('manage access keys for signed requests (stored in the keys table)');

  keys
    .command('create')
    .description('create an access key for a user and print its secret once')
    .requiredOption('--user <id>', 'the user id the key signs as (created.by of what it writes)')
    .option('--role <role>', 'read (query, subscribe) or write (also create and update)', 'write')
    .action(async (options: { user: string; role: string }) => {
      if (options.role !== 'read' && options.role !== 'write') io.fail(`keys create: --role must be read or write, not "${options.role}"`, 2);
      const config = io.config();
      const key = await withDatabase(config, (dataSource) =>
        createKey(dataSource, { user: options.user, role: options.role as 'read' | 'write', masterKey: config.auth.masterKey }),
      );
      io.out(`created ${key.role} key ${key.id} for ${key.user}`);
      io.out(`secret (shown this once): ${key.secret}`);
    });

  keys
    .command('list')
    .description('list access keys (never their secrets)')
    .action(async () => {
      const all = await withDatabase(io.config(), listKeys);
      for (const key of all) {
        io.out([key.id, key.user, key.role, key.created.toISOString(), key.revoked ? `revoked ${key.revoked.toISOString()}` : 'active'].join('\t'));
      }
    });

  keys
    .command('revoke')
    .description('revoke an access key; running servers refuse it within TASKGATE_KEYS_REFRESH seconds')
    .argument('<key-id>', 'the key id shown by keys create / keys list')
    .action(async (id: string) => {
      const config = io.config();
      if (!(await withDatabase(config, (dataSource) => revokeKey(dataSource, id)))) io.fail(`keys revoke: no active key ${id}`, 1);
      io.out(`revoked ${id}; running servers refuse it within ${config.auth.keysRefreshMs / 1000} seconds`);
    });
}

async function withDatabase<T>(config: AppConfig, work: (dataSource: ReturnType<typeof createDataSource>) => Promise<T>): Promise<T> {
  const dataSource = createDataSource(config.database);
  await dataSource.initialize();
  try {
    if (config.migrateOnStart) await applyMigrations(dataSource);
    return await work(dataSource);
  } finally {
    await dataSource.destroy();
  }
}
