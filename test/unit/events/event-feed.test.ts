import { EventFeed } from '../../../src/events/event-feed';
import { createLogger } from '../../../src/ops/logger';
import { TaskStatus } from '../../../src/tasks/task-status';
import { events, FakeEventStore, FakeLink, feedEvent, hasNothingMore, settle, take } from '../fakes/event-store';

// Everything here runs on microtasks: a wait is a bug, not a slow machine.
jest.setTimeout(10_000);

const everything = { statusChangesOnly: false };
const change = (event: ReturnType<typeof feedEvent>) => ({ event, task: { type: event.taskType } }) as never;

async function startedFeed(stored: ReturnType<typeof feedEvent>[] = []) {
  const store = new FakeEventStore();
  store.commit(...stored);
  const link = new FakeLink();
  const counters = { published: 0, delivered: 0, subscriptions: 0 };
  const feed = new EventFeed(store.asStore, link, createLogger('silent'), {
    published: () => counters.published++,
    delivered: () => counters.delivered++,
    subscriptions: (delta) => (counters.subscriptions += delta),
  });
  await feed.start();
  return { store, link, feed, counters };
}

describe('the event feed, live', () => {
  it('starts after the latest stored event: a new subscriber does not get history', async () => {
    const { feed, store } = await startedFeed(events(1, 5));
    const sub = feed.subscribe(everything, null, 100);
    store.commit(feedEvent(6));
    feed.publishCommitted(change(feedEvent(6)));
    expect(await take(sub, 1)).toEqual([6]);
    expect(feed.stats().lastEventId).toBe(6);
  });

  it('hands an event committed here to every subscriber once, and tells the other instances', async () => {
    const { feed, link, store, counters } = await startedFeed();
    const one = feed.subscribe(everything, null, 100);
    const two = feed.subscribe(everything, null, 100);
    store.commit(feedEvent(1));
    feed.publishCommitted(change(feedEvent(1)));
    // The same event coming back through the link (Redis echoes our own messages) is not a second one.
    link.handlers.onEvent(feedEvent(1));
    expect(await take(one, 1)).toEqual([1]);
    expect(await take(two, 1)).toEqual([1]);
    expect(link.published.map((e) => e.seq)).toEqual([1]);
    expect(counters).toMatchObject({ published: 1, delivered: 2, subscriptions: 2 });
    expect((await hasNothingMore(one)).nothingMore).toBe(true);
  });

  it('puts events that arrive out of order back in id order', async () => {
    const { feed, link, store } = await startedFeed();
    const sub = feed.subscribe(everything, null, 100);
    store.commit(...events(1, 3));
    link.handlers.onEvent(feedEvent(2));
    link.handlers.onEvent(feedEvent(3));
    link.handlers.onEvent(feedEvent(1));
    expect(await take(sub, 3)).toEqual([1, 2, 3]);
  });

  it('fills a gap from the database when the message for an id was lost on the way', async () => {
    const { feed, link, store } = await startedFeed();
    const sub = feed.subscribe(everything, null, 100);
    store.commit(...events(1, 3));
    link.handlers.onEvent(feedEvent(1));
    link.handlers.onEvent(feedEvent(3)); // 2 was committed but its message never came
    expect(await take(sub, 3)).toEqual([1, 2, 3]);
  });

  it('moves past an id that was rolled back instead of waiting for it forever', async () => {
    const { feed, link, store } = await startedFeed();
    const sub = feed.subscribe(everything, null, 100);
    store.commit(feedEvent(1), feedEvent(3)); // id 2 was taken by a transaction that rolled back
    link.handlers.onEvent(feedEvent(3));
    expect(await take(sub, 2)).toEqual([1, 3]);
    link.handlers.onEvent(feedEvent(4));
    expect(await take(sub, 1)).toEqual([4]);
  });

  it('reads what another instance committed when only its high-water mark got through', async () => {
    const { feed, link, store } = await startedFeed();
    const sub = feed.subscribe(everything, null, 100);
    store.commit(...events(1, 4));
    link.handlers.onHighWater(4);
    expect(await take(sub, 4)).toEqual([1, 2, 3, 4]);
  });

  it('catches up on everything committed while the link was down when told messages may be lost', async () => {
    const { feed, link, store } = await startedFeed();
    const sub = feed.subscribe(everything, null, 10_000);
    store.commit(...events(1, 2500)); // more than one scan page
    link.handlers.onMaybeMissed();
    const ids = await take(sub, 2500);
    expect(ids).toEqual(events(1, 2500).map((e) => e.seq));
  });

  it('keeps the events when the database cannot be read, and delivers them once it can', async () => {
    const { feed, link, store } = await startedFeed();
    const sub = feed.subscribe(everything, null, 100);
    store.commit(...events(1, 3));
    store.failNextRead();
    link.handlers.onEvent(feedEvent(3));
    await settle();
    expect(sub.backlog).toBe(0);
    // The feed retries by itself after a pause; a catch-up request is the same retry, sooner.
    feed.catchUp();
    expect(await take(sub, 3)).toEqual([1, 2, 3]);
    await feed.stop();
  });

  it('finds where to start later when the database is down at start, without replaying history', async () => {
    const store = new FakeEventStore();
    store.commit(...events(1, 5));
    store.failNextRead();
    const link = new FakeLink();
    const feed = new EventFeed(store.asStore, link, createLogger('silent'));
    await feed.start();
    const sub = feed.subscribe(everything, null, 100);
    store.commit(feedEvent(6));
    link.handlers.onEvent(feedEvent(6));
    expect(await take(sub, 1)).toEqual([6]);
  });

  it('serves each subscriber only what its filter asks for', async () => {
    const { feed, link, store } = await startedFeed();
    store.commit(feedEvent(1), feedEvent(2, { previousStatus: TaskStatus.IN_PROGRESS, previousStage: 'in progress', log: 'log only' }), feedEvent(3, { status: TaskStatus.FAILED }));
    const failedOnly = feed.subscribe({ statusChangesOnly: true, status: TaskStatus.FAILED }, null, 100);
    const statusChanges = feed.subscribe({ statusChangesOnly: true }, null, 100);
    link.handlers.onEvent(feedEvent(1));
    link.handlers.onEvent(feedEvent(2, { previousStatus: TaskStatus.IN_PROGRESS, previousStage: 'in progress', log: 'log only' }));
    link.handlers.onEvent(feedEvent(3, { status: TaskStatus.FAILED }));
    expect(await take(failedOnly, 1)).toEqual([3]);
    expect(await take(statusChanges, 2)).toEqual([1, 3]);
  });

  it('closes a subscriber that falls too far behind and tells it why, while others go on', async () => {
    const { feed, link, store, counters } = await startedFeed();
    store.commit(...events(1, 4));
    const ended: string[] = [];
    const slow = feed.subscribe(everything, null, 2, (reason) => ended.push(reason));
    const fast = feed.subscribe(everything, null, 100);
    for (const event of events(1, 4)) link.handlers.onEvent(event);
    await settle();
    expect(ended).toEqual(['overflow']);
    expect(await slow.next()).toEqual({ value: undefined, done: true });
    expect(await take(fast, 4)).toEqual([1, 2, 3, 4]);
    expect(feed.stats().subscriptions).toBe(1);
    expect(counters.subscriptions).toBe(1);
  });

  it('frees a subscription the client closes, without calling it an early end', async () => {
    const { feed } = await startedFeed();
    const ended: string[] = [];
    const sub = feed.subscribe(everything, null, 100, (reason) => ended.push(reason));
    await sub.return();
    expect(feed.stats().subscriptions).toBe(0);
    expect(ended).toEqual([]);
  });

  it('ends every subscription at shutdown, waking a client that waits for the next event', async () => {
    const { feed } = await startedFeed();
    const ended: string[] = [];
    const sub = feed.subscribe(everything, null, 100, (reason) => ended.push(reason));
    const waiting = sub.next();
    await feed.stop();
    expect(await waiting).toEqual({ value: undefined, done: true });
    expect(ended).toEqual(['shutdown']);
    expect(feed.stats().subscriptions).toBe(0);
  });
});

describe('a subscription resumed after an event id (replay, then live)', () => {
  it('replays every stored event after the id, then goes live, with no gap and no duplicate', async () => {
    const { feed, link, store } = await startedFeed(events(1, 5));
    const sub = feed.subscribe(everything, 2, 100);
    expect(await take(sub, 3)).toEqual([3, 4, 5]);
    store.commit(feedEvent(6));
    link.handlers.onEvent(feedEvent(6));
    expect(await take(sub, 1)).toEqual([6]);
    expect((await hasNothingMore(sub)).nothingMore).toBe(true);
  });

  it('keeps events committed during the replay read and hands them over after it, once each', async () => {
    const { feed, link, store } = await startedFeed(events(1, 5));
    const sub = feed.subscribe(everything, 2, 100);
    const release = store.holdReads();
    const first = take(sub, 5);
    await settle();
    // The replay read is in flight (it will return 3..5); 6 and 7 commit meanwhile.
    store.commit(feedEvent(6), feedEvent(7));
    link.handlers.onEvent(feedEvent(6));
    link.handlers.onEvent(feedEvent(7));
    await settle();
    release();
    expect(await first).toEqual([3, 4, 5, 6, 7]);
    expect((await hasNothingMore(sub)).nothingMore).toBe(true);
  });

  it('does not send twice an event that both the replay read and the live feed saw', async () => {
    const { feed, link, store } = await startedFeed(events(1, 3));
    const sub = feed.subscribe(everything, 0, 100);
    // 4 commits before the read starts, but its live message arrives while the read is in flight.
    store.commit(feedEvent(4));
    const release = store.holdReads();
    const first = take(sub, 4);
    await settle();
    link.handlers.onEvent(feedEvent(4));
    await settle();
    release();
    expect(await first).toEqual([1, 2, 3, 4]);
    expect((await hasNothingMore(sub)).nothingMore).toBe(true);
  });

  it('replays a long history page by page as the client reads, not all at once', async () => {
    const { feed, store } = await startedFeed(events(1, 1200));
    const sub = feed.subscribe(everything, 0, 100);
    expect(await take(sub, 1)).toEqual([1]);
    expect(store.reads).toHaveLength(1);
    expect(sub.backlog).toBeLessThanOrEqual(store.reads[0].limit);
    const rest = await take(sub, 1199);
    expect(rest).toEqual(events(2, 1200).map((e) => e.seq));
    expect(store.reads.length).toBeGreaterThanOrEqual(3);
  });

  it('reads from the database instead when more live events arrive during the replay than it may hold', async () => {
    const { feed, link, store } = await startedFeed(events(1, 2));
    const queueLimit = 3;
    const sub = feed.subscribe(everything, 0, queueLimit);
    const release = store.holdReads();
    const first = take(sub, 12);
    await settle();
    for (const event of events(3, 12)) {
      store.commit(event);
      link.handlers.onEvent(event);
    }
    await settle();
    release();
    expect(await first).toEqual(events(1, 12).map((e) => e.seq));
    expect((await hasNothingMore(sub)).nothingMore).toBe(true);
  });

  it('replays only what the filter asks for', async () => {
    const stored = [feedEvent(1), feedEvent(2, { status: TaskStatus.FAILED }), feedEvent(3, { previousStatus: TaskStatus.IN_PROGRESS }), feedEvent(4, { status: TaskStatus.FAILED })];
    const { feed } = await startedFeed(stored);
    const sub = feed.subscribe({ statusChangesOnly: true, status: TaskStatus.FAILED }, 0, 100);
    expect(await take(sub, 2)).toEqual([2, 4]);
  });

  it('replays nothing and goes live when resumed after the latest event', async () => {
    const { feed, link, store } = await startedFeed(events(1, 3));
    const sub = feed.subscribe(everything, 3, 100);
    store.commit(feedEvent(4));
    link.handlers.onEvent(feedEvent(4));
    expect(await take(sub, 1)).toEqual([4]);
  });
});
