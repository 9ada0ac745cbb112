import { EventEmitter } from 'node:events';
import type { MaybePromise } from '../../lib/maybe-promise';
import type { ActiveKey, KeyStore } from './key-store';

/**
 * The keys verification uses, in memory: static keys from TASKGATE_KEYS plus the active rows
 * of the `keys` table, secrets already opened. The hot path never touches the database: the
 * table is re-read every `refreshMs` (so a key revoked by the CLI in another process stops
 * working within that time) and, at most once a second, when an unknown user id shows up (so a
 * key created a moment ago works within a second, while a flood of unknown ids costs one query a
 * second).
 */
export class KeyRing {
  private byUser = new Map<string, ActiveKey[]>();
  private byId = new Map<string, ActiveKey>();
  private lastRefresh = 0;
  private refreshing: Promise<void> | undefined;
  private queued: Promise<void> | undefined;
  private timer: NodeJS.Timeout | undefined;
  // Listeners: the WebSocket door keeps one for all its sockets; others may subscribe through onRevoked.
  private readonly events = new EventEmitter().setMaxListeners(0);

  constructor(
    private readonly store: KeyStore | undefined,
    private readonly staticKeys: ActiveKey[],
    private readonly refreshMs: number,
    private readonly onUnreadable: (key: ActiveKey) => void = () => undefined,
  ) {
    this.install(staticKeys);
  }

  /** Loads the table; a failure (no migrations yet, database down) leaves the static keys working. */
  async start(): Promise<unknown> {
    const failure = await this.refresh().then(
      () => undefined,
      (error: unknown) => error,
    );
    this.timer = setInterval(() => void this.refresh().catch(() => undefined), this.refreshMs);
    this.timer.unref();
    return failure;
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.events.removeAllListeners();
  }

  /**
   * Active keys of a user. An unknown user starts a re-read of the table (at most one a second)
   * but is not kept waiting for it: an unknown user must cost what a known one costs, so nothing
   * in the answer's timing says whether the id exists. A key created elsewhere a moment ago is
   * therefore accepted from the next request on.
   */
  keysOf(user: string): ActiveKey[] {
    const keys = this.byUser.get(user);
    if (!keys && this.store && Date.now() - this.lastRefresh >= 1000) void this.refresh().catch(() => undefined);
    return keys ?? [];
  }

  /**
   * `keysFor`, but for a principal not known yet, after a fresh re-read of the table, so a key
   * created a moment ago (by the CLI, or on another instance) works on the very next request
   * everywhere. Re-reads are shared: every request waiting for one joins the same query, and at
   * most one runs at a time, so a flood of unknown ids costs one query after another, no more.
   * A known principal's keys come back at once, without a promise.
   */
  lookup(principal: string): MaybePromise<ActiveKey[]> {
    const known = this.keysFor(principal);
    if (known.length || !this.store) return known;
    return this.freshRefresh().then(() => this.keysFor(principal));
  }

  /** A re-read that started after this call: joins the queued one, or queues one after the running one. */
  private freshRefresh(): Promise<void> {
    if (!this.refreshing) return this.refresh().catch(() => undefined);
    this.queued ??= this.refreshing
      .catch(() => undefined)
      .then(() => {
        this.queued = undefined;
        return this.refresh().catch(() => undefined);
      });
    return this.queued;
  }

  /**
   * The keys a signature's principal may name: the access key id (`k_…`) itself, or every
   * active key of a user id (any of them may have signed).
   */
  keysFor(principal: string): ActiveKey[] {
    const key = this.byId.get(principal);
    if (key && key.secret !== undefined) return [key];
    return this.keysOf(principal);
  }

  isActive(keyId: string): boolean {
    return this.byId.has(keyId);
  }

  onRevoked(listener: (keyId: string, user: string) => void): () => void {
    this.events.on('revoked', listener);
    return () => this.events.off('revoked', listener);
  }

  /** Re-reads the table now (after a revoke in this process, or on the timer). */
  refresh(): Promise<void> {
    if (!this.store) return Promise.resolve();
    this.refreshing ??= this.store
      .active(this.byId)
      .then((rows) => {
        for (const row of rows) if (row.secret === undefined && !this.byId.has(row.id)) this.onUnreadable(row);
        this.install([...this.staticKeys, ...rows]);
      })
      .finally(() => {
        this.lastRefresh = Date.now();
        this.refreshing = undefined;
      });
    return this.refreshing;
  }

  private install(keys: ActiveKey[]): void {
    const byId = new Map(keys.map((key) => [key.id, key]));
    const byUser = new Map<string, ActiveKey[]>();
    for (const key of keys) {
      if (key.secret === undefined) continue;
      const list = byUser.get(key.user);
      if (list) list.push(key);
      else byUser.set(key.user, [key]);
    }
    const gone = [...this.byId.values()].filter((key) => !byId.has(key.id));
    this.byId = byId;
    this.byUser = byUser;
    for (const key of gone) this.events.emit('revoked', key.id, key.user);
  }
}
