import { createHash } from 'node:crypto';
import Redis from 'ioredis';
import { type Database, isDuplicateKey } from '../db/database';

/**
 * Remembers the signatures of writes already served until their Date leaves the accepted
 * window (after that the Date check refuses them anyway). `claim` is true the first time a
 * signature is seen and false for a replay.
 */
export interface ReplayGuard {
  claim(fingerprint: string, ttlMs: number): Promise<boolean>;
  close(): Promise<void>;
}

/** One process: a map from fingerprint to expiry, swept as it grows (benchmarks of the verifier; the app uses the two below). */
export function memoryReplayGuard(): ReplayGuard {
  const seen = new Map<string, number>();
  let nextSweep = 0;
  return {
    async claim(fingerprint, ttlMs) {
      const now = Date.now();
      if (now >= nextSweep) {
        for (const [key, expires] of seen) if (expires <= now) seen.delete(key);
        nextSweep = now + 10_000;
      }
      const expires = seen.get(fingerprint);
      if (expires !== undefined && expires > now) return false;
      seen.set(fingerprint, now + ttlMs);
      return true;
    },
    async close() {
      seen.clear();
    },
  };
}

/**
 * Without Redis: the `replay_claims` table, so a restart or a second instance on the same
 * database still refuses a replay. The primary key makes the insert the atomic claim (a
 * duplicate is a replay). Rows expire with their signature's window and are swept at most once
 * a minute; an expired row left over changes nothing, as its Date is refused by then anyway.
 */
export function databaseReplayGuard(db: Database, now: () => number = Date.now): ReplayGuard {
  let nextSweep = 0;
  const sweep = (at: number) =>
    db.transaction((tx) => tx.write('DELETE FROM replay_claims WHERE expires_at < ?', [new Date(at)])).catch(() => undefined);
  return {
    async claim(fingerprint, ttlMs) {
      const at = now();
      if (at >= nextSweep) {
        nextSweep = at + 60_000;
        void sweep(at);
      }
      const id = createHash('sha256').update(fingerprint).digest('base64url');
      try {
        await db.transaction((tx) => tx.write('INSERT INTO replay_claims (fingerprint, expires_at) VALUES (?, ?)', [id, new Date(at + ttlMs)]));
        return true;
      } catch (error) {
        if (isDuplicateKey(error)) return false;
        throw error;
      }
    },
    async close() {
      // The database is closed by the app.
    },
  };
}

/**
 * Shared by every instance: `SET key 1 PX ttl NX` is atomic, so exactly one claim wins. While
 * Redis cannot be reached the guard uses `fallback` (the database guard, which every instance
 * on the same database shares) rather than refusing every write: a Redis outage must not stop
 * the gateway from serving; readiness reports the link as down meanwhile.
 */
export function redisReplayGuard(url: string, fallback: ReplayGuard, onDegraded: (error: unknown) => void = () => undefined): ReplayGuard {
  const redis = new Redis(url, { lazyConnect: false, maxRetriesPerRequest: 1, enableOfflineQueue: false });
  // Connection errors surface on the commands that need Redis; the event itself is not fatal.
  redis.on('error', () => undefined);
  let lastWarning = 0;
  const degraded = (error: unknown) => {
    if (Date.now() - lastWarning < 10_000) return;
    lastWarning = Date.now();
    onDegraded(error);
  };
  return {
    async claim(fingerprint, ttlMs) {
      if (redis.status !== 'ready') {
        degraded(new Error(`Redis is ${redis.status}`));
        return fallback.claim(fingerprint, ttlMs);
      }
      let answer: string | null;
      try {
        answer = await redis.set(`taskgate:replay:${fingerprint}`, '1', 'PX', Math.max(1, Math.ceil(ttlMs)), 'NX');
      } catch (error) {
        degraded(error);
        return fallback.claim(fingerprint, ttlMs);
      }
      return answer === 'OK';
    },
    async close() {
      await fallback.close();
      // QUIT waits for a connection that may never come back; without one, just drop the client.
      if (redis.status === 'ready') await redis.quit().catch(() => redis.disconnect());
      else redis.disconnect();
    },
  };
}
