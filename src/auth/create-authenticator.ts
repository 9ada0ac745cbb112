import type { AppConfig } from '../config';
import type { Database } from '../db/database';
import type { Logger } from '../ops/logger';
import { type Authenticator, openAuthenticator } from './authenticate';
import { createFirstKeyIfNone } from './first-key';
import { KeyRing } from './keys/key-ring';
import { KeyStore, parseStaticKeys } from './keys/key-store';
import { sealStoredSecrets } from './keys/seal';
import { SecretBox } from './keys/secret-box';
import { databaseReplayGuard, redisReplayGuard } from './replay-guard';
import { signedAuthenticator } from './signed-authenticator';

/**
 * The authenticator the app uses: signed requests (the default), or none at all with
 * TASKGATE_AUTH=off, which warns loudly at every start.
 */
export function createAuthenticator(config: AppConfig, db: Database, logger: Logger, publicUrl: () => string): Authenticator {
  if (!config.auth.enabled) {
    const open = openAuthenticator(config.defaultUser, config.corsOrigins);
    return {
      ...open,
      async start() {
        logger.warn(
          `AUTHENTICATION IS OFF (TASKGATE_AUTH=off): anyone who can reach this server can read and change every task as "${config.defaultUser}". Never run it like this outside a local experiment.`,
        );
      },
    };
  }
  const box = new SecretBox(config.auth.masterKey);
  const store = new KeyStore(db, box);
  const ring = new KeyRing(store, parseStaticKeys(config.auth.staticKeys), config.auth.keysRefreshMs, (key) =>
    logger.error({ keyId: key.id, user: key.user }, 'a stored key cannot be opened with TASKGATE_MASTER_KEY (wrong or missing master key); it cannot sign requests'),
  );
  // In the database without Redis (restarts and instances on one database share it), and as Redis's stand-in while it is away.
  const inDatabase = databaseReplayGuard(db);
  const replay = config.redisUrl
    ? redisReplayGuard(config.redisUrl, inDatabase, (error) =>
        logger.warn({ err: error }, 'Redis cannot be reached: the replay guard uses the database until it returns'),
      )
    : inDatabase;
  return signedAuthenticator({
    keys: ring,
    replay,
    clockSkewMs: config.auth.clockSkewSeconds * 1000,
    requireBodyMd5: config.auth.requireBodyMd5,
    presignMaxMs: config.auth.presignMaxMs,
    async onStart(loadError) {
      if (loadError) {
        logger.error({ err: loadError }, 'the keys table cannot be read (are the migrations applied?); only TASKGATE_KEYS can sign requests');
        return;
      }
      if (!box.encrypts) {
        logger.warn('TASKGATE_MASTER_KEY is not set: signing secrets in the keys table are stored unencrypted; anyone who can read the database can sign requests');
      } else {
        // Secrets stored before the master key was set are sealed now, not left readable.
        const sealed = await sealStoredSecrets(db, box);
        if (sealed) logger.info({ sealed }, `sealed ${sealed} stored signing secret(s) with TASKGATE_MASTER_KEY`);
      }
      if (!config.auth.staticKeys.trim()) await createFirstKeyIfNone(store, db, logger, publicUrl);
      await ring.refresh();
    },
  });
}
