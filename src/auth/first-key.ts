import type { Database } from '../db/database';
import { withDatabaseLock } from '../db/lock';
import type { Logger } from '../ops/logger';
import type { KeyStore } from './keys/key-store';

export const firstKeyUser = 'admin';

/**
 * First start with no keys at all (none in the table, none in TASKGATE_KEYS): creates one write
 * key so the quick start works, once per database: instances starting at once on an empty
 * database take turns under a database lock, and only the first finds the table empty.
 * The secret is shown this once: in the one log line that ever carries a secret, and as plain
 * lines on stderr a person can copy (JSON escaping buries it in `docker logs` and pipes), with a
 * ready-to-run call to `publicUrl` (TASKGATE_PUBLIC_URL, the address a caller outside uses).
 */
export async function createFirstKeyIfNone(
  store: KeyStore,
  db: Database,
  logger: Logger,
  publicUrl: () => string,
  print: (text: string) => void = (text) => process.stderr.write(text),
): Promise<void> {
  const key = await withDatabaseLock(db.dataSource, 'first-key', async () => ((await store.isEmpty()) ? store.create(firstKeyUser, 'write') : undefined));
  if (!key) return;
  const base = publicUrl();
  const call = `npx taskgate call POST ${base}/graphql --user ${key.user} --secret '${key.secret}' --data '{"query":"{ tasks { totalCount } }"}'`;
  logger.warn(
    { keyId: key.id, user: key.user, role: key.role },
    `first start: created write key ${key.id} for user "${key.user}". Its secret is shown this once: ${key.secret}\n` +
      `Try it (signed with openssl; or: ${call}):\n` +
      curlExample(key.user, key.secret, base),
  );
  print(
    [
      '',
      `taskgate: first start: created write key ${key.id} for user "${key.user}". Its secret is shown this once; keep it:`,
      '',
      `  TASKGATE_USER=${key.user}`,
      `  TASKGATE_SECRET=${key.secret}`,
      '',
      'Try it with the bundled command:',
      '',
      `  ${call}`,
      '',
      'or signed with openssl and sent with curl:',
      '',
      ...curlExample(key.user, key.secret, base).split('\n').map((line) => `  ${line}`),
      '',
      `Then open ${base}/playground or ${base}/board and paste the user and secret into the key bar.`,
      '',
      '',
    ].join('\n'),
  );
}

/** A shell snippet that signs one GraphQL call to `base` (scheme://host:port) with openssl and sends it with curl. */
export function curlExample(user: string, secret: string, base: string): string {
  const host = new URL(base).host;
  return [
    `SECRET='${secret}' USER_ID='${user}' BODY='{"query":"{ tasks { totalCount } }"}'`,
    `DATE=$(LC_ALL=C date -u '+%a, %d %b %Y %H:%M:%S GMT'); MD5=$(printf %s "$BODY" | openssl dgst -md5 -binary | base64)`,
    `SIG=$(printf 'POST\\n${host}\\n%s\\napplication/json\\n%s\\n/graphql' "$MD5" "$DATE" | openssl dgst -sha1 -hmac "$SECRET" -binary | base64)`,
    `curl -s ${base}/graphql -H "X-VirtShell-Authorization: $USER_ID:$SIG" -H "Date: $DATE" -H "Content-MD5: $MD5" -H 'Content-Type: application/json' -d "$BODY"`,
  ].join('\n');
}
