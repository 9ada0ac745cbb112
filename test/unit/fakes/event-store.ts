import type { EventLink, LinkHandlers } from '../../../src/events/event-link';
import type { EventStore } from '../../../src/events/event-store';
import { type FeedEvent, type FeedFilter, matches } from '../../../src/events/feed-event';
import { TaskStatus } from '../../../src/tasks/task-status';
import { TaskEventKind } from '../../../src/tasks/task-event.entity';

/**
 * An in-memory `task_events` for the feed's unit tests: the two reads the feed makes, over rows
 * the test commits. Reads answer at once (microtasks only) unless the test holds them, so a test
 * controls exactly what commits before, during and after a read. Not for integration tests:
 * those run against the real databases.
 */
export class FakeEventStore implements Pick<EventStore, 'lastId' | 'after'> {
  private readonly rows: FeedEvent[] = [];
  private gate: Promise<void> | undefined;
  private failures: Error[] = [];
  /** Every `after` read, as (after, limit). */
  readonly reads: { after: number; limit: number }[] = [];

  /** As the feed sees it (EventStore is a class with a private database field). */
  get asStore(): EventStore {
    return this as unknown as EventStore;
  }

  /** Commits rows (ids need not be contiguous: a rolled-back transaction leaves a hole). */
  commit(...events: FeedEvent[]): void {
    this.rows.push(...events);
    this.rows.sort((a, b) => a.seq - b.seq);
  }

  /** Holds every read until `release()`; what a read returns is fixed when it starts. */
  holdReads(): () => void {
    let release!: () => void;
    this.gate = new Promise<void>((resolve) => (release = resolve));
    return () => {
      this.gate = undefined;
      release();
    };
  }

  /** The next read fails, as a database that went away does. */
  failNextRead(error = new Error('connect ECONNREFUSED 127.0.0.1:3306')): void {
    this.failures.push(error);
  }

  async lastId(): Promise<number> {
    const failure = this.failures.shift();
    if (failure) throw failure;
    return this.rows.at(-1)?.seq ?? 0;
  }

  async after(after: number, limit: number, filter?: FeedFilter): Promise<FeedEvent[]> {
    this.reads.push({ after, limit });
    const failure = this.failures.shift();
    const page = this.rows.filter((e) => e.seq > after && (!filter || matches(filter, e))).slice(0, limit);
    if (this.gate) await this.gate;
    if (failure) throw failure;
    return page;
  }
}

/** A link to other instances the test drives by hand (what Redis would deliver, or lose). */
export class FakeLink implements EventLink {
  handlers!: LinkHandlers;
  readonly published: FeedEvent[] = [];
  status = () => 'up' as const;
  async start(handlers: LinkHandlers): Promise<void> {
    this.handlers = handlers;
  }
  publish(event: FeedEvent): void {
    this.published.push(event);
  }
  async stop(): Promise<void> {}
}

const taskA = '3f2504e0-4f89-41d3-9a0c-0305e82c3301';

/** A committed event with id `seq`; by default a status change of one task to IN_PROGRESS. */
export function feedEvent(seq: number, overrides: Partial<FeedEvent> = {}): FeedEvent {
  return {
    id: String(seq),
    seq,
    taskUuid: taskA,
    version: seq,
    kind: TaskEventKind.UPDATED,
    status: TaskStatus.IN_PROGRESS,
    previousStatus: TaskStatus.PENDING,
    stage: 'in progress',
    previousStage: 'pending',
    log: `event ${seq}`,
    at: new Date(Date.UTC(2026, 10, 27, 16, 0, 0, seq)),
    by: 'test-writer',
    taskType: 'create_instance',
    ...overrides,
  };
}

export const events = (from: number, to: number, overrides: Partial<FeedEvent> = {}) => Array.from({ length: to - from + 1 }, (_, i) => feedEvent(from + i, overrides));

/** Lets every pending promise callback run (the fake store answers in microtasks). */
export async function settle(): Promise<void> {
  for (let i = 0; i < 3; i++) await new Promise((resolve) => setImmediate(resolve));
}

/** The next `n` events a subscriber takes, as their ids. */
export async function take(subscription: AsyncIterator<FeedEvent>, n: number): Promise<number[]> {
  const ids: number[] = [];
  for (let i = 0; i < n; i++) {
    const result = await subscription.next();
    if (result.done) throw new Error(`the subscription ended after ${ids.join(', ') || 'nothing'}`);
    ids.push(result.value.seq);
  }
  return ids;
}

/** True when the subscriber has nothing more to take right now (its next() stays pending). */
export async function hasNothingMore(subscription: AsyncIterator<FeedEvent>): Promise<{ nothingMore: boolean; late: Promise<IteratorResult<FeedEvent>> }> {
  let resolved = false;
  const late = subscription.next();
  void late.then(() => (resolved = true));
  await settle();
  return { nothingMore: !resolved, late };
}
