import type { Command } from 'commander';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { createKey, listKeys, revokeKey, sealKeys } from '../auth/keys-commands';
import { userIdProblem } from '../auth/keys/key-store';
import type { AppConfig } from '../config';
import { createDataSource } from '../db/data-source';
import { applyMigrations } from '../db/migrate';
import { databaseFailure } from '../ops/start-failure';

/** What a command needs from the CLI around it: where to print, configuration, how to fail. */
export interface KeyCommandIo {
  out(line: string): void;
  config(): AppConfig;
  fail(message: string, exitCode: number): never;
}

/** `taskgate keys create|list|revoke|seal`. */
export function addKeyCommands(program: Command, io: KeyCommandIo): void {
  const keys = program.command('keys').description('manage access keys for signed requests (stored in the keys table)');

  keys
    .command('create')
    .description('create an access key for a user and print its secret once')
    .requiredOption('--user <id>', 'the user id the key signs as (created.by of what it writes)')
    .option('--role <role>', 'read (query, subscribe) or write (also create and update)', 'write')
    .action(async (options: { user: string; role: string }) => {
      if (options.role !== 'read' && options.role !== 'write') io.fail(`keys create: --role must be read or write, not "${options.role}"`, 2);
      const badUser = userIdProblem(options.user);
      if (badUser) io.fail(`keys create: --user ${JSON.stringify(options.user)} is not a user id: ${badUser}`, 2);
      const config = io.config();
      const key = await withDatabase(io, 'keys create', config, (dataSource) =>
        createKey(dataSource, { user: options.user, role: options.role as 'read' | 'write', masterKey: config.auth.masterKey }),
      );
      io.out(`created ${key.role} key ${key.id} for ${key.user}`);
      io.out(`secret (shown this once): ${key.secret}`);
    });

  keys
    .command('list')
    .description('list access keys (never their secrets)')
    .action(async () => {
      const all = await withDatabase(io, 'keys list', io.config(), listKeys);
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
      if (!(await withDatabase(io, 'keys revoke', config, (dataSource) => revokeKey(dataSource, id)))) io.fail(`keys revoke: no active key ${id}`, 1);
      io.out(`revoked ${id}; running servers refuse it within ${config.auth.keysRefreshMs / 1000} seconds`);
    });

  keys
    .command('seal')
    .description('encrypt, with TASKGATE_MASTER_KEY, the secrets stored before it was set (serve also does this at start)')
    .action(async () => {
      const config = io.config();
      if (!config.auth.masterKey) io.fail('keys seal: set TASKGATE_MASTER_KEY first (e.g. the output of: openssl rand -base64 32); it is what the secrets are sealed with', 2);
      const sealed = await withDatabase(io, 'keys seal', config, (dataSource) => sealKeys(dataSource, config.auth.masterKey));
      io.out(sealed ? `sealed ${sealed} stored secret(s) with TASKGATE_MASTER_KEY` : 'every stored secret is already sealed');
    });

}

/**
 * Opens the configured database for a keys command. It never makes one up: a SQLite file that
 * does not exist is refused (naming the file it looked for), so a command run from another
 * folder cannot write a key nobody reads. Database failures are one line (exit code 1).
 */
async function withDatabase<T>(io: KeyCommandIo, command: string, config: AppConfig, work: (dataSource: ReturnType<typeof createDataSource>) => Promise<T>): Promise<T> {
  const db = config.database;
  if (db.kind === 'sqlite' && db.path !== ':memory:' && !existsSync(resolve(db.path))) {
    io.fail(
      `${command}: there is no database at ${resolve(db.path)} (DATABASE_URL=sqlite:${db.path}${process.env.DATABASE_URL ? '' : ', the default, relative to the current folder'}); run it in the folder taskgate serves from, or set DATABASE_URL to the server's database`,
      1,
    );
  }
  const dataSource = createDataSource(config.database);
  try {
    await dataSource.initialize();
  } catch (error) {
    const why = databaseFailure(error, config);
    io.fail(`${command} failed: ${why?.message ?? `the database cannot be opened: ${(error as Error).message}`}`, 1);
  }
  try {
    if (config.migrateOnStart) await applyMigrations(dataSource);
    return await work(dataSource);
  } catch (error) {
    const why = databaseFailure(error, config);
    if (why) io.fail(`${command} failed: ${why.message}`, 1);
    throw error;
  } finally {
    await dataSource.destroy();
  }
}
