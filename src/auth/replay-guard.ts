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

/** Most claims one INSERT carries (two parameters each). */
const maxClaimsPerInsert = 200;

interface PendingClaim {
  id: string;
  expiresAt: Date;
  resolve(first: boolean): void;
  reject(error: unknown): void;
}

/**
 * Without Redis: the `replay_claims` table, so a restart or a second instance on the same
 * database still refuses a replay. The primary key makes the insert the atomic claim (a
 * duplicate is a replay). Rows expire with their signature's window and are swept at most once
 * a minute; an expired row left over changes nothing, as its Date is refused by then anyway.
 *
 * Claims are committed in groups: while one group's INSERT is on its way, the claims that
 * arrive wait and go together in the next, one multi-row INSERT and one commit for all of them
 * (bench scenario 4: a transaction of its own per claim cost MariaDB three round trips and a
 * second commit per write, bench/PROFILE.md). A claim made when none is on its way goes at
 * once. When a group meets a duplicate the database refuses the whole statement (nothing of
 * it is written), and its claims are made again one by one, so each replay, even one within
 * the group, is told apart exactly as before; any other failure fails every claim of the
 * group, as it would have failed each of them.
 */
export function databaseReplayGuard(db: Database, now: () => number = Date.now): ReplayGuard {
  let nextSweep = 0;
  let waiting: PendingClaim[] = [];
  let writing = false;
  const sweep = (at: number) =>
    db.transaction((tx) => tx.write('DELETE FROM replay_claims WHERE expires_at < ?', [new Date(at)])).catch(() => undefined);

  // One statement is its own transaction: atomic, and committed before the claim is granted.
  const insert = (claims: PendingClaim[]) =>
    db.writeAlone(
      `INSERT INTO replay_claims (fingerprint, expires_at) VALUES ${claims.map(() => '(?, ?)').join(', ')}`,
      claims.flatMap((claim) => [claim.id, claim.expiresAt]),
    );

  async function commit(group: PendingClaim[]): Promise<void> {
    try {
      await insert(group);
      for (const claim of group) claim.resolve(true);
      return;
    } catch (error) {
      if (!isDuplicateKey(error) || group.length === 1) {
        for (const claim of group) {
          if (isDuplicateKey(error)) claim.resolve(false);
          else claim.reject(error);
        }
        return;
      }
    }
    for (const claim of group) {
      try {
        await insert([claim]);
        claim.resolve(true);
      } catch (error) {
        if (isDuplicateKey(error)) claim.resolve(false);
        else claim.reject(error);
      }
    }
  }

  async function drain(): Promise<void> {
    writing = true;
    try {
      while (waiting.length > 0) {
        const group = waiting.length <= maxClaimsPerInsert ? waiting : waiting.slice(0, maxClaimsPerInsert);
        waiting = waiting.length <= maxClaimsPerInsert ? [] : waiting.slice(maxClaimsPerInsert);
        await commit(group);
      }
    } finally {
      writing = false;
    }
  }

  return {
    claim(fingerprint, ttlMs) {
      const at = now();
      if (at >= nextSweep) {
        nextSweep = at + 60_000;
        void sweep(at);
      }
      const id = createHash('sha256').update(fingerprint).digest('base64url');
      return new Promise<boolean>((resolve, reject) => {
        waiting.push({ id, expiresAt: new Date(at + ttlMs), resolve, reject });
        if (!writing) void drain();
      });
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
