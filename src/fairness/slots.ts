import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { Logger } from '../ops/logger';

/**
 * Counts what is open right now under a name (a key's streams of one kind), with a ceiling.
 * `take` reserves one when fewer than `max` are open, `give` hands it back.
 */
export interface SlotCounter {
  take(name: string, max: number): Promise<boolean>;
  give(name: string): void;
  stop(): void;
}

/** One instance: a map of counts. */
export function memorySlots(): SlotCounter {
  const open = new Map<string, number>();
  return {
    async take(name, max) {
      const count = open.get(name) ?? 0;
      if (count >= max) return false;
      open.set(name, count + 1);
      return true;
    },
    give(name) {
      const count = (open.get(name) ?? 0) - 1;
      if (count > 0) open.set(name, count);
      else open.delete(name);
    },
    stop: () => undefined,
  };
}

/**
 * Takes a slot when every instance's live count plus this one's new count fits under `max`.
 * The hash holds one field per instance: "<count>:<expires at, ms>". Expired fields (an instance
 * that died) are dropped, so a crash frees its slots within the lease time.
 * KEYS[1] hash; ARGV: instance, count this instance would hold, max, lease ms.
 */
const takeScript = `
local now = redis.call('TIME')
local nowMs = tonumber(now[1]) * 1000 + math.floor(tonumber(now[2]) / 1000)
local fields = redis.call('HGETALL', KEYS[1])
local others = 0
for i = 1, #fields, 2 do
  if fields[i] ~= ARGV[1] then
    local sep = string.find(fields[i + 1], ':', 1, true)
    local count = tonumber(string.sub(fields[i + 1], 1, sep - 1))
    local expires = tonumber(string.sub(fields[i + 1], sep + 1))
    if expires < nowMs then redis.call('HDEL', KEYS[1], fields[i]) else others = others + count end
  end
end
if others + tonumber(ARGV[2]) > tonumber(ARGV[3]) then return 0 end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2] .. ':' .. (nowMs + tonumber(ARGV[4])))
redis.call('PEXPIRE', KEYS[1], ARGV[4])
return 1
`;

/** Writes this instance's count (0 removes its field). KEYS[1] hash; ARGV: instance, count, lease ms. */
const setScript = `
local now = redis.call('TIME')
local nowMs = tonumber(now[1]) * 1000 + math.floor(tonumber(now[2]) / 1000)
if tonumber(ARGV[2]) <= 0 then
  redis.call('HDEL', KEYS[1], ARGV[1])
else
  redis.call('HSET', KEYS[1], ARGV[1], ARGV[2] .. ':' .. (nowMs + tonumber(ARGV[3])))
  redis.call('PEXPIRE', KEYS[1], ARGV[3])
end
return 1
`;

type SlotRedis = Redis & {
  fairTake(key: string, instance: string, count: number, max: number, leaseMs: number): Promise<number>;
  fairSet(key: string, instance: string, count: number, leaseMs: number): Promise<number>;
};

/**
 * Slots shared by every instance through Redis. Each instance keeps its own counts in memory
 * (they are the truth for its own streams) and writes them to one hash per name; `take` asks Redis
 * whether everyone's counts together leave room. The counts are re-written every third of the
 * lease, so a live instance's slots never expire and a dead one's do. While Redis cannot be
 * reached each instance enforces the ceiling on its own streams (logged once), so an outage never
 * refuses everything and never lifts the limit entirely.
 */
export function redisSlots(redis: Redis, options: { prefix: string; leaseMs: number; logger: Logger }): SlotCounter {
  const client = redis as SlotRedis;
  client.defineCommand('fairTake', { numberOfKeys: 1, lua: takeScript });
  client.defineCommand('fairSet', { numberOfKeys: 1, lua: setScript });
  const instance = randomUUID();
  const local = memoryCounts();
  let warned = false;
  const key = (name: string) => `${options.prefix}${name}`;
  const unreachable = (error: unknown) => {
    if (warned) return;
    warned = true;
    options.logger.warn({ err: error }, 'fair-share limits cannot reach Redis; each instance enforces them on its own streams until it is back');
  };
  const refresh = setInterval(() => {
    if (redis.status !== 'ready') return;
    const pipeline = redis.pipeline();
    for (const [name, count] of local.entries()) (pipeline as unknown as SlotRedis).fairSet(key(name), instance, count, options.leaseMs);
    pipeline.exec().then(() => (warned = false), unreachable);
  }, Math.max(1000, Math.floor(options.leaseMs / 3)));
  refresh.unref();

  return {
    async take(name, max) {
      // Reserved here first, so two takes at once on this instance ask for 1 and 2, not 1 and 1.
      const count = local.add(name, 1);
      if (count > max) return (local.add(name, -1), false);
      try {
        if ((await client.fairTake(key(name), instance, count, max, options.leaseMs)) === 1) return true;
      } catch (error) {
        unreachable(error);
        return true; // within this instance's own ceiling, checked above
      }
      const left = local.add(name, -1);
      client.fairSet(key(name), instance, left, options.leaseMs).catch(unreachable);
      return false;
    },
    give(name) {
      const left = local.add(name, -1);
      client.fairSet(key(name), instance, left, options.leaseMs).catch(unreachable);
    },
    stop() {
      clearInterval(refresh);
    },
  };
}

function memoryCounts() {
  const counts = new Map<string, number>();
  return {
    add(name: string, delta: number): number {
      const count = Math.max(0, (counts.get(name) ?? 0) + delta);
      if (count > 0) counts.set(name, count);
      else counts.delete(name);
      return count;
    },
    entries: () => counts.entries(),
  };
}
