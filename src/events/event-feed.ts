import { setImmediate as nextTurn } from 'node:timers/promises';
import type { Logger } from '../ops/logger';
import type { CommittedChange } from '../tasks/task.service';
import type { EventLink } from './event-link';
import type { EventStore } from './event-store';
import { type FeedEvent, type FeedFilter, toFeedEvent } from './feed-event';
import { type EndReason, type FeedOwner, FeedSubscription } from './feed-subscription';

/** What the feed reports as it works (the metrics); each call is one add, no labels. */
export interface FeedCounters {
  /** An event committed on this instance was published. */
  published(): void;
  /** A subscriber took an event (replayed or live). */
  delivered(): void;
  /** A subscription opened (+1) or ended (-1). */
  subscriptions(delta: 1 | -1): void;
}

const noCounters: FeedCounters = { published: () => undefined, delivered: () => undefined, subscriptions: () => undefined };

const scanPageSize = 1000;
/** Events held while waiting for a missing id; beyond this the database fills the gap instead. */
const maxPending = 10_000;

/**
 * The process-wide stream of committed task events, in id order, each once. Events arrive
 * from this process's commits and from the link (other instances); they may arrive out of
 * order or not at all (Redis drops messages while down). Ids are handed out in commit order,
 * so a missing id below a seen one is either in the database already or was rolled back: the
 * feed reads the database to fill any gap, then moves on. Subscribers are served from here,
 * so one event is read, decoded and matched once per process, not once per subscriber.
 */
export class EventFeed {
  private cursor = 0;
  private highest = 0;
  private readonly pending = new Map<number, FeedEvent>();
  private scanRequested = false;
  private needsStart = false;
  private pumping = false;
  private retry: NodeJS.Timeout | undefined;
  private readonly subscriptions = new Set<FeedSubscription>();
  /** What every subscription tells the feed (one object for all of them). */
  private readonly owner: FeedOwner = {
    delivered: () => this.counters.delivered(),
    ended: (subscription) => {
      this.subscriptions.delete(subscription);
      this.counters.subscriptions(-1);
    },
  };

  constructor(
    private readonly store: EventStore,
    private readonly link: EventLink,
    private readonly logger: Logger,
    private readonly counters: FeedCounters = noCounters,
  ) {}

  /** Starts after the latest stored event, then opens the link. */
  async start(): Promise<void> {
    try {
      await this.findStart();
    } catch (error) {
      // No events table yet (migrations off) or no database right now: the pump finds the start later.
      this.logger.warn({ err: error }, 'event feed could not read the latest event id; will retry');
      this.needsStart = true;
    }
    await this.link.start({
      onEvent: (event) => this.receive(event),
      onHighWater: (id) => this.noteHighWater(id),
      onMaybeMissed: () => this.catchUp(),
      highWater: () => this.stats().lastEventId,
    });
  }

  /** For TaskService.onCommitted: delivers here at once and tells the other instances. */
  publishCommitted(change: CommittedChange): void {
    const event = toFeedEvent(change.event, change.task.type);
    this.counters.published();
    this.receive(event);
    this.link.publish(event);
  }

  /** Reads the database for anything committed and not yet seen. */
  catchUp(): void {
    this.scanRequested = true;
    this.kick();
  }

  /**
   * A new subscriber. `after`: replay stored events with a greater id first.
   * `onEnd` hears when the feed ends it (too slow, or shutting down).
   */
  subscribe(filter: FeedFilter, after: number | null, queueLimit: number, onEnd?: (reason: EndReason) => void): FeedSubscription {
    const subscription = new FeedSubscription(this.store, filter, after, queueLimit, this.owner, onEnd);
    this.subscriptions.add(subscription);
    this.counters.subscriptions(1);
    return subscription;
  }

  /** Active subscriptions and the events queued for them. */
  stats(): { subscriptions: number; queued: number; lastEventId: number } {
    let queued = 0;
    for (const sub of this.subscriptions) queued += sub.backlog;
    return { subscriptions: this.subscriptions.size, queued, lastEventId: this.cursor };
  }

  /** Ends every subscription and closes the link. */
  async stop(): Promise<void> {
    if (this.retry) clearTimeout(this.retry);
    for (const sub of [...this.subscriptions]) sub.end('shutdown');
    await this.link.stop();
  }

  private async findStart(): Promise<void> {
    let start = await this.store.lastId();
    // Events heard while the start was unknown (the database was down at start) came after it:
    // start below them, so they are delivered rather than taken for history.
    for (const id of this.pending.keys()) start = Math.min(start, id - 1);
    this.cursor = Math.max(this.cursor, start);
    this.highest = Math.max(this.highest, this.cursor);
  }

  private receive(event: FeedEvent): void {
    if (event.seq <= this.cursor) return;
    this.pending.set(event.seq, event);
    if (this.pending.size > maxPending) this.pending.clear();
    this.noteHighWater(event.seq);
  }

  private noteHighWater(id: number): void {
    if (id > this.highest) this.highest = id;
    this.kick();
  }

  private kick(): void {
    if (this.pumping) return;
    this.pumping = true;
    void this.pump();
  }

  private async pump(): Promise<void> {
    try {
      if (this.needsStart) {
        await this.findStart();
        this.needsStart = false;
      }
      for (;;) {
        const next = this.pending.get(this.cursor + 1);
        if (next) {
          this.pending.delete(next.seq);
          this.dispatch(next);
          continue;
        }
        if (this.highest <= this.cursor && !this.scanRequested) return;
        this.scanRequested = false;
        // Everything up to `target` has committed or rolled back, so this read fills the gap for good.
        const target = this.highest;
        const page = await this.store.after(this.cursor, scanPageSize);
        for (const event of page) if (event.seq > this.cursor) this.dispatch(this.pending.get(event.seq) ?? event);
        if (page.length === scanPageSize) {
          this.scanRequested = true;
          // A long catch-up (SQLite reads synchronously) must not hold the event loop between pages.
          await nextTurn();
        }
        else if (target > this.cursor) this.cursor = target;
        this.highest = Math.max(this.highest, this.cursor);
        for (const id of this.pending.keys()) if (id <= this.cursor) this.pending.delete(id);
      }
    } catch (error) {
      // The database is unreachable: try again shortly; nothing is lost, the events are stored.
      this.logger.warn({ err: error }, 'event feed could not read task_events; retrying');
      this.scanRequested = true;
      if (this.retry) clearTimeout(this.retry);
      this.retry = setTimeout(() => this.kick(), 1000);
      this.retry.unref();
    } finally {
      // Cleared in the same turn as the loop's last check, so no event can slip in between.
      this.pumping = false;
    }
  }

  private dispatch(event: FeedEvent): void {
    this.cursor = event.seq;
    for (const sub of this.subscriptions) sub.offer(event);
  }
}
