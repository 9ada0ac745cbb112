import { Kind, type OperationDefinitionNode, type SelectionNode } from 'graphql';
import { Redis } from 'ioredis';
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import type { AppConfig } from '../config';
import type { Logger } from '../ops/logger';
import { memorySlots, redisSlots, type SlotCounter } from './slots';

/** What one key may hold open at once: streamed listings, SSE streams, WebSockets, subscriptions, heavy operations. */
export type SlotKind = 'listing' | 'sse' | 'wsConnection' | 'wsSubscription' | 'heavy';

export type FairShareSettings = AppConfig['fairShare'];

/** Hands a slot back; calling it again does nothing. */
export type Release = () => void;

const what: Record<SlotKind, string> = {
  listing: 'streamed task listings (GET /tasks/)',
  sse: 'event streams (GET /tasks/events)',
  wsConnection: 'WebSocket connections',
  wsSubscription: 'subscriptions',
  heavy: 'costly operations',
};

/**
 * A refusal because the caller's key already uses its share. `retryAfterSeconds` is when trying
 * again can succeed: when the budget refills, or (a full slot count) a second, as a hint.
 */
export class RateLimited extends Error {
  override name = 'RateLimited';
  readonly code = 'RATE_LIMITED';
  constructor(
    message: string,
    readonly retryAfterSeconds: number,
    readonly limit: { kind: SlotKind | 'cost'; max: number },
  ) {
    super(message);
  }
}

/**
 * Fair share between keys (issue 13): no single key can starve the others.
 *
 * - Streams are counted per key while they are open (listings, SSE, WebSocket connections and
 *   subscriptions), each kind with its own ceiling; one more is refused with RATE_LIMITED.
 * - Costly GraphQL operations (cost >= TASKGATE_FAIR_HEAVY_COST) spend their cost from a
 *   per-key budget that refills every second (rate-limiter-flexible), and each key runs at most
 *   TASKGATE_FAIR_HEAVY_CONCURRENT of them at once. Cheap ones (task(id), small pages) pass
 *   without touching any counter, so the common path pays nothing.
 * - Costly operations on this instance together hold at most the database pool minus
 *   TASKGATE_FAIR_RESERVED_CONNECTIONS, so cheap reads always find a connection, and take at most
 *   TASKGATE_FAIR_HEAVY_SHARE of its time: a costly operation that ran for E ms makes the next
 *   ones wait E * (1 / share - 1) ms, so however many keys
 *   send them, cheap requests of other keys are answered in between. On SQLite, whose reads are
 *   synchronous, E is time the event loop served nothing else.
 *
 * With REDIS_URL the per-key counts and budgets are shared by every instance; the database
 * reserve is per instance (each has its own pool).
 */
export class FairShare {
  private readonly held = new WeakMap<object, Release[]>();
  private heavyRunning = 0;
  /** Until when costly work waits, after costly work took its share of the time (performance.now()). */
  private heavyFreeAt = 0;

  private constructor(
    private readonly settings: FairShareSettings,
    private readonly slots: SlotCounter,
    private readonly budget: RateLimiterAbstract,
    private readonly databaseSlots: number,
    private readonly redis: Redis | undefined,
  ) {}

  static create(settings: FairShareSettings, options: { redisUrl: string | null; poolSize: number; logger: Logger }): FairShare {
    const databaseSlots = Math.max(1, options.poolSize - settings.reservedConnections);
    const memoryBudget = new RateLimiterMemory({ points: settings.costPerSecond, duration: 1 });
    if (!options.redisUrl) return new FairShare(settings, memorySlots(), memoryBudget, databaseSlots, undefined);
    const redis = new Redis(options.redisUrl, { lazyConnect: false, enableOfflineQueue: false, maxRetriesPerRequest: 1, connectTimeout: 2000, connectionName: 'taskgate-fair-share' });
    redis.on('error', () => undefined); // reported once by the slot counter when a call fails
    const prefix = settings.redisPrefix;
    const slots = redisSlots(redis, { prefix: `${prefix}slots:`, leaseMs: 30_000, logger: options.logger });
    // While Redis is away each instance keeps its own budget (the insurance limiter).
    const budget = new RateLimiterRedis({ storeClient: redis, keyPrefix: `${prefix}cost`, points: settings.costPerSecond, duration: 1, rejectIfRedisNotReady: true, insuranceLimiter: memoryBudget });
    return new FairShare(settings, slots, budget, databaseSlots, redis);
  }

  /** The ceiling of one kind per key. */
  max(kind: SlotKind): number {
    return this.settings.max[kind];
  }

  /** Takes one of `key`'s slots of `kind` for as long as the stream is open; throws RateLimited when all are taken. */
  async open(kind: SlotKind, key: string): Promise<Release> {
    if (!this.settings.enabled) return noop;
    const max = this.max(kind);
    const name = `${kind}:${key}`;
    if (!(await this.slots.take(name, max))) {
      throw new RateLimited(`this key already has ${max} open ${what[kind]}, the most one key may hold; close one, then retry`, 1, { kind, max });
    }
    // One closure per held slot (an idle subscriber holds two): once() would add a second.
    let held = true;
    return () => {
      if (!held) return;
      held = false;
      this.slots.give(name);
    };
  }

  /** Does an operation of `cost` go through admitCost's counters? False: admitCost would admit it at once with nothing to release. */
  countsCost(cost: number): boolean {
    return cost >= this.settings.heavyCost && this.settings.enabled;
  }

  /**
   * Admits a GraphQL operation of `cost` for `key`: cheap ones at once (undefined: nothing to
   * release); a costly one spends its cost from the key's budget and takes a heavy slot of the
   * key and `connections` of the instance's database slots (the statements it may run at once:
   * see connectionsOf), released when it is done. Throws RateLimited.
   */
  async admitCost(key: string, cost: number, connections = 1): Promise<Release | undefined> {
    if (!this.countsCost(cost)) return undefined;
    // An operation that may take more connections than there are slots runs alone.
    const weight = Math.min(Math.max(1, connections), this.databaseSlots);
    const fits = () => this.heavyRunning + weight <= this.databaseSlots;
    const busy = () =>
      new RateLimited(`the server's database connections for costly operations (${this.databaseSlots}) are all in use; retry shortly or ask for less (smaller first:)`, 1, { kind: 'heavy', max: this.databaseSlots });
    if (!fits()) throw busy();
    const wait = this.heavyFreeAt - performance.now();
    if (wait > 0) {
      const retry = Math.max(1, Math.ceil(wait / 1000));
      throw new RateLimited(`the server is busy; costly queries wait ${retry} s so that others are answered meanwhile (or ask for less)`, retry, { kind: 'heavy', max: this.databaseSlots });
    }
    const releaseSlot = await this.open('heavy', key);
    // Spent only by work that then runs: a refused operation costs its key nothing.
    try {
      if (!fits()) throw busy();
      await this.budget.consume(key, cost);
    } catch (error) {
      releaseSlot();
      if (!(error instanceof RateLimiterRes)) throw error;
      const retry = Math.max(1, Math.ceil(error.msBeforeNext / 1000));
      throw new RateLimited(`this key spent its budget of ${this.settings.costPerSecond} cost points per second on costly queries; retry in ${retry} s or ask for less`, retry, { kind: 'cost', max: this.settings.costPerSecond });
    }
    this.heavyRunning += weight;
    const started = performance.now();
    return once(() => {
      this.heavyRunning -= weight;
      releaseSlot();
      const now = performance.now();
      const took = now - started;
      // Short ones are not worth holding anyone up for (and would make the rule flaky under noise).
      // Not divided among the database slots: building a large answer is this process's own time, on any database.
      if (took >= minChargedMs) this.heavyFreeAt = Math.max(this.heavyFreeAt, now + took * (1 / this.settings.heavyShare - 1));
    });
  }

  /** Keeps `release` with `holder` (one request) until `settle(holder)`. */
  hold(holder: object, release: Release): void {
    const list = this.held.get(holder);
    if (list) list.push(release);
    else this.held.set(holder, [release]);
  }

  /** Releases what `holder` holds (the request is answered). */
  settle(holder: object): void {
    const list = this.held.get(holder);
    if (!list) return;
    this.held.delete(holder);
    for (const release of list) release();
  }

  async stop(): Promise<void> {
    this.slots.stop();
    if (this.redis) {
      await this.redis.quit().catch(() => undefined);
      this.redis.disconnect();
    }
  }
}

const noop: Release = () => undefined;

/** Costly operations shorter than this do not make the next ones wait. */
const minChargedMs = 20;

function once(fn: () => void): Release {
  let done = false;
  return () => {
    if (done) return;
    done = true;
    fn();
  };
}

/**
 * How many database statements an operation may run at once: its root fields run side by side,
 * and a task list runs its page and its totalCount together; nested lists (history) are read
 * after their page, batched. An upper bound, so that costly operations together never take more
 * than the pool minus the reserve, aliases included.
 */
export function connectionsOf(operation: OperationDefinitionNode | null | undefined): number {
  if (!operation) return 1;
  let count = 0;
  const visit = (selections: readonly SelectionNode[]): void => {
    for (const selection of selections) {
      if (selection.kind === Kind.FIELD) count += selection.name.value === 'tasks' ? 2 : 1;
      else if (selection.kind === Kind.INLINE_FRAGMENT) visit(selection.selectionSet.selections);
      else count += 2; // a fragment spread: counted as one list, without looking it up
    }
  };
  visit(operation.selectionSet.selections);
  return Math.max(1, count);
}
