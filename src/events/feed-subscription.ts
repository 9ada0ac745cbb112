import { setImmediate as nextTurn } from 'node:timers/promises';
import type { EventStore } from './event-store';
import { type FeedEvent, type FeedFilter, matches } from './feed-event';

const replayPageSize = 500;
/**
 * Replayed events handed out between two turns of the event loop. On SQLite every read is
 * synchronous and a fast client takes each event at once, so without a turn a replay of the
 * whole table would run as one long task: no other request answered, and a closed socket not
 * even noticed until the end. About 100 events is a few milliseconds of work.
 */
const replayEventsPerTurn = 100;

/** Why a subscription ended early. */
export type EndReason = 'overflow' | 'shutdown';

/**
 * The feed a subscription belongs to, told of what happens to it. One object shared by every
 * subscription, not two closures per subscription: thousands of subscribers idle at once.
 */
export interface FeedOwner {
  /** The client took an event. */
  delivered(): void;
  /** The subscription ended (`onEnd` has not been told yet). */
  ended(subscription: FeedSubscription): void;
}

/**
 * One subscriber's view of the feed: an async iterator of matching events, each once, in id order.
 *
 * With `after`, it replays from `task_events` page by page (pulled as the client reads, so a
 * long backlog costs no memory) while buffering live events; once the database has nothing
 * more it drains the buffer, dropping ids already sent, and goes live. Live events wait in a bounded
 * queue; when the client cannot keep up the queue overflows and `onEnd('overflow')` is told.
 * A replay gives the event loop a turn every `replayEventsPerTurn` events, so other requests are
 * answered meanwhile and a client that goes away stops it at once (`return()` ends it).
 */
export class FeedSubscription implements AsyncIterableIterator<FeedEvent> {
  private readonly queue: FeedEvent[] = [];
  /** Live events seen while replaying; null once live. */
  private replayBuffer: FeedEvent[] | null;
  private bufferOverflowed = false;
  private lastQueued: number;
  private waiting: ((result: IteratorResult<FeedEvent>) => void) | null = null;
  private finished = false;
  private sinceTurn = 0;
  /** Told of each event while the reader waits with nothing queued; true when it has taken the event. */
  sink: { tryDeliver(event: FeedEvent): boolean } | undefined = undefined;

  constructor(
    private readonly store: EventStore,
    readonly filter: FeedFilter,
    after: number | null,
    private readonly queueLimit: number,
    private readonly owner: FeedOwner,
    /** Told when the feed ends the subscription early (not when the client closes it). */
    private readonly onEnd: ((reason: EndReason) => void) | undefined,
  ) {
    this.replayBuffer = after === null ? null : [];
    this.lastQueued = after ?? 0;
  }

  /** Events queued and not yet taken by the client. */
  get backlog(): number {
    return this.queue.length;
  }

  /** Called by the feed for every committed event, in id order. */
  offer(event: FeedEvent): void {
    if (this.finished || !matches(this.filter, event)) return;
    if (this.replayBuffer) {
      this.replayBuffer.push(event);
      // The database has them all: drop the buffer and let the replay read further instead.
      if (this.replayBuffer.length > this.queueLimit) (this.replayBuffer = []), (this.bufferOverflowed = true);
      return;
    }
    if (event.seq <= this.lastQueued) return;
    this.lastQueued = event.seq;
    if (this.waiting) {
      // The reader is idle: a sink that writes the event now saves waking it (grouped-subscribe.ts).
      if (this.sink?.tryDeliver(event)) {
        this.owner.delivered();
        return;
      }
      const resolve = this.waiting;
      this.waiting = null;
      this.owner.delivered();
      resolve({ value: event, done: false });
      return;
    }
    this.queue.push(event);
    if (this.queue.length > this.queueLimit) this.end('overflow');
  }

  async next(): Promise<IteratorResult<FeedEvent>> {
    for (;;) {
      if (this.replayBuffer && this.queue.length > 0 && ++this.sinceTurn >= replayEventsPerTurn) {
        this.sinceTurn = 0;
        await nextTurn();
        continue; // the client may have gone meanwhile: end() empties the queue
      }
      const queued = this.queue.shift();
      if (queued) {
        this.owner.delivered();
        return { value: queued, done: false };
      }
      if (this.finished) return { value: undefined, done: true };
      if (!this.replayBuffer) return new Promise((resolve) => (this.waiting = resolve));
      await this.replayPage();
    }
  }

  /** The next event already queued, without waiting (undefined when none): lets a sender batch what piled up. */
  takeQueued(): FeedEvent | undefined {
    const queued = this.queue.shift();
    if (queued) this.owner.delivered();
    return queued;
  }

  async return(): Promise<IteratorResult<FeedEvent>> {
    this.end('closed');
    return { value: undefined, done: true };
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  /** Stops the subscription; a client waiting for the next event sees the end. */
  end(reason: EndReason | 'closed'): void {
    if (this.finished) return;
    this.finished = true;
    this.queue.length = 0;
    this.replayBuffer = null;
    const waiting = this.waiting;
    this.waiting = null;
    waiting?.({ value: undefined, done: true });
    this.owner.ended(this);
    if (reason !== 'closed') this.onEnd?.(reason);
  }

  /**
   * Reads the next page of the replay. Goes live only after a read that finds nothing more and
   * with the queue empty, so the queue never holds more than the live buffer when it does.
   */
  private async replayPage(): Promise<void> {
    const page = await this.store.after(this.lastQueued, replayPageSize, this.filter);
    if (this.finished || !this.replayBuffer) return;
    for (const event of page) {
      this.queue.push(event);
      this.lastQueued = event.seq;
    }
    if (page.length > 0) return;
    if (this.bufferOverflowed) {
      // Live events were dropped during this read; the next read finds them in the database.
      this.bufferOverflowed = false;
      this.replayBuffer = [];
      return;
    }
    const buffered = this.replayBuffer;
    this.replayBuffer = null;
    for (const event of buffered) {
      if (event.seq > this.lastQueued) (this.queue.push(event), (this.lastQueued = event.seq));
    }
  }
}
