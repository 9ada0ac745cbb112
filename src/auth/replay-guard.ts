import Redis from 'ioredis';

/**
 * Remembers the signatures of writes already served until their Date leaves the accepted
 * window (after that the Date check refuses them anyway). `claim` is true the first time a
 * signature is seen and false for a replay.
 */
export interface ReplayGuard {
  claim(fingerprint: string, ttlMs: number): Promise<boolean>;
  close(): Promise<void>;
}

/** One process: a map from fingerprint to expiry, swept as it grows. */
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
 * Shared by every instance: `SET key 1 PX ttl NX` is atomic, so exactly one claim wins.
 * Every claim is also recorded in this process. While Redis cannot be reached the guard
 * falls back to that local record (a replay to the same instance is still refused) rather
 * than refusing every write: a Redis outage must not stop the gateway from serving; readiness
 * reports the link as down meanwhile.
 */
export function redisReplayGuard(url: string, onDegraded: (error: unknown) => void = () => undefined): ReplayGuard {
  const redis = new Redis(url, { lazyConnect: false, maxRetriesPerRequest: 1, enableOfflineQueue: false });
  // Connection errors surface on the commands that need Redis; the event itself is not fatal.
  redis.on('error', () => undefined);
  const local = memoryReplayGuard();
  let lastWarning = 0;
  const degraded = (error: unknown) => {
    if (Date.now() - lastWarning < 10_000) return;
    lastWarning = Date.now();
    onDegraded(error);
  };
  return {
    async claim(fingerprint, ttlMs) {
      if (!(await local.claim(fingerprint, ttlMs))) return false;
      if (redis.status !== 'ready') {
        degraded(new Error(`Redis is ${redis.status}`));
        return true;
      }
      try {
        const answer = await redis.set(`taskgate:replay:${fingerprint}`, '1', 'PX', Math.max(1, Math.ceil(ttlMs)), 'NX');
        return answer === 'OK';
      } catch (error) {
        degraded(error);
        return true;
      }
    },
    async close() {
      await local.close();
      // QUIT waits for a connection that may never come back; without one, just drop the client.
      if (redis.status === 'ready') await redis.quit().catch(() => redis.disconnect());
      else redis.disconnect();
    },
  };
}
