import type { Logger } from '../ops/logger';
import type { KeyStore } from './keys/key-store';

export const firstKeyUser = 'admin';

/**
 * First start with no keys at all (none in the table, none in TASKGATE_KEYS): creates one write
 * key and prints it once, with a ready-to-run signed curl call, so the quick start still works.
 * This one log line is the only place a secret is ever logged.
 */
export async function createFirstKeyIfNone(store: KeyStore, logger: Logger, port: () => number): Promise<void> {
  if (!(await store.isEmpty())) return;
  const key = await store.create(firstKeyUser, 'write');
  logger.warn(
    { keyId: key.id, user: key.user, role: key.role },
    `first start: created write key ${key.id} for user "${key.user}". Its secret is shown this once: ${key.secret}\n` +
      `Try it (signed with openssl; or: npx taskgate call POST http://localhost:${port()}/graphql --user ${key.user} --secret <secret> --data '{"query":"{ tasks { totalCount } }"}'):\n` +
      curlExample(key.user, key.secret, port()),
  );
}

/** A shell snippet that signs one GraphQL call with openssl and sends it with curl. */
export function curlExample(user: string, secret: string, port: number): string {
  return [
    `SECRET='${secret}' USER_ID='${user}' BODY='{"query":"{ tasks { totalCount } }"}'`,
    `DATE=$(LC_ALL=C date -u '+%a, %d %b %Y %H:%M:%S GMT'); MD5=$(printf %s "$BODY" | openssl dgst -md5 -binary | base64)`,
    `SIG=$(printf 'POST\\nlocalhost:${port}\\n%s\\napplication/json\\n%s\\n/graphql' "$MD5" "$DATE" | openssl dgst -sha1 -hmac "$SECRET" -binary | base64)`,
    `curl -s http://localhost:${port}/graphql -H "X-VirtShell-Authorization: $USER_ID:$SIG" -H "Date: $DATE" -H "Content-MD5: $MD5" -H 'Content-Type: application/json' -d "$BODY"`,
  ].join('\n');
}
