import 'reflect-metadata';
import 'dotenv/config';
import { loadConfig } from '../config';
import { createDataSource } from '../db/data-source';
import { applyMigrations } from '../db/migrate';
import { callSigned, createKey, listKeys, revokeKey, signRequest } from './keys-commands';

const usage = `usage:
  keys create --user <id> [--role read|write]   prints the new secret once
  keys list
  keys revoke <key id>
  sign METHOD URL [--data JSON] --user <id> --secret <secret>   prints the signed headers
  call METHOD URL [--data JSON] --user <id> --secret <secret>   signs, sends, prints the answer
(--user and --secret default to TASKGATE_USER and TASKGATE_SECRET)`;

function options(args: string[]): { positional: string[]; flags: Record<string, string> } {
  const positional: string[] = [];
  const flags: Record<string, string> = {};
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (arg.startsWith('--')) {
      const [name, inline] = arg.slice(2).split('=', 2);
      flags[name] = inline ?? args[++i] ?? '';
    } else positional.push(arg);
  }
  return { positional, flags };
}

/** `node dist/src/auth/keys-cli.js keys create --user x`: the key and signing commands until the main CLI takes them over. */
export async function runKeysCli(argv: string[], out: (line: string) => void = console.log): Promise<number> {
  const [command, ...rest] = argv;
  const { positional, flags } = options(rest);
  if (command === 'sign' || command === 'call') {
    const [method, url] = positional;
    const user = flags.user ?? process.env.TASKGATE_USER;
    const secret = flags.secret ?? process.env.TASKGATE_SECRET;
    if (!method || !url || !user || !secret) {
      out(usage);
      return 2;
    }
    const request = { method, url, body: flags.data, user, secret };
    if (command === 'sign') {
      for (const [name, value] of Object.entries(signRequest(request))) out(`${name}: ${value}`);
      return 0;
    }
    const answer = await callSigned(request);
    out(`HTTP ${answer.status}`);
    out(answer.body);
    return answer.status < 400 ? 0 : 1;
  }
  if (command !== 'keys' || !['create', 'list', 'revoke'].includes(positional[0] ?? '')) {
    out(usage);
    return 2;
  }
  const config = loadConfig();
  const dataSource = createDataSource(config.database);
  await dataSource.initialize();
  try {
    if (config.migrateOnStart) await applyMigrations(dataSource);
    if (positional[0] === 'create') {
      if (!flags.user) {
        out(usage);
        return 2;
      }
      const role = (flags.role ?? 'write') as 'read' | 'write';
      const key = await createKey(dataSource, { user: flags.user, role, masterKey: config.auth.masterKey });
      out(`created ${key.role} key ${key.id} for ${key.user}`);
      out(`secret (shown this once): ${key.secret}`);
      return 0;
    }
    if (positional[0] === 'list') {
      for (const key of await listKeys(dataSource)) {
        out([key.id, key.user, key.role, key.created.toISOString(), key.revoked ? `revoked ${key.revoked.toISOString()}` : 'active'].join('\t'));
      }
      return 0;
    }
    const id = positional[1];
    if (!id) {
      out(usage);
      return 2;
    }
    if (!(await revokeKey(dataSource, id))) {
      out(`no active key ${id}`);
      return 1;
    }
    out(`revoked ${id}; running servers refuse it within ${config.auth.keysRefreshMs / 1000} seconds`);
    return 0;
  } finally {
    await dataSource.destroy();
  }
}

if (require.main === module) {
  runKeysCli(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      console.error(`taskgate: ${(error as Error).message}`);
      process.exitCode = 1;
    },
  );
}
