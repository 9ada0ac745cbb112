import type { Command } from 'commander';
import { callSigned, createKey, listKeys, revokeKey, signRequest } from '../auth/keys-commands';
import { presignUrl, webSocketVerb } from '../auth/signature';
import type { AppConfig } from '../config';
import { createDataSource } from '../db/data-source';
import { applyMigrations } from '../db/migrate';

/** What a command needs from the CLI around it: where to print, configuration, how to fail. */
export interface KeyCommandIo {
  out(line: string): void;
  config(): AppConfig;
  fail(message: string, exitCode: number): never;
}

/** `taskgate keys create|list|revoke`, `taskgate sign` and `taskgate call`. */
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
      io.out(`sign as X-VirtShell-Authorization: ${key.id}:<signature> (the key id, or the user id ${key.user}, before the colon); the secret only computes <signature> and is never sent`);
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

  const signing = (command: Command) =>
    command
      .argument('<method>', 'HTTP method, e.g. GET or POST')
      .argument('<url>', 'full URL, e.g. http://localhost:4000/api/virtshell/v1/tasks/')
      .option('--data <json>', 'request body (sent as application/json with its Content-MD5)')
      .option('--user <id>', 'key id (k_…) or user id of the key (default: TASKGATE_USER)')
      .option('--secret <secret>', 'secret of the key (default: TASKGATE_SECRET)');

  const requestOf = (method: string, url: string, options: { data?: string; user?: string; secret?: string }) => {
    const user = options.user ?? process.env.TASKGATE_USER;
    const secret = options.secret ?? process.env.TASKGATE_SECRET;
    if (!user || !secret) io.fail('give --user and --secret (or TASKGATE_USER and TASKGATE_SECRET)', 2);
    return { method, url, body: options.data, user, secret };
  };

  signing(program.command('sign'))
    .description('print the signed headers (X-VirtShell-Authorization, X-VirtShell-Date, Content-MD5) for a request, or with --presign a presigned URL')
    .option('--presign <seconds>', 'print a presigned URL valid this long instead (GET /tasks/events; a ws:// or wss:// URL presigns the WebSocket)')
    .action((method: string, url: string, options: { data?: string; user?: string; secret?: string; presign?: string }) => {
      const request = requestOf(method, url, options);
      if (options.presign !== undefined) {
        const seconds = Number(options.presign);
        if (!Number.isInteger(seconds) || seconds < 1) io.fail('sign: --presign takes a whole number of seconds', 2);
        const verb = /^wss?:/.test(url) ? webSocketVerb : method.toUpperCase();
        io.out(presignUrl({ url, principal: request.user, secret: request.secret, expiresAt: new Date(Date.now() + seconds * 1000), verb }));
        return;
      }
      for (const [name, value] of Object.entries(signRequest(request))) io.out(`${name}: ${value}`);
    });

  signing(program.command('call'))
    .description('sign a request, send it to a running taskgate and print the answer')
    .action(async (method: string, url: string, options: { data?: string; user?: string; secret?: string }) => {
      const answer = await callSigned(requestOf(method, url, options));
      io.out(`HTTP ${answer.status}`);
      io.out(answer.body);
      if (answer.status >= 400) io.fail('', 1);
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
