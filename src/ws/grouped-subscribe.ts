import { createSourceEventStream, type DocumentNode, execute, type ExecutionArgs, type ExecutionResult, print } from 'graphql';
import type { SocketExtra } from './use-ws';

/** Where one subscriber's `next` messages go: its connection and its subscription id. */
export interface Delivery {
  extra: SocketExtra;
  id: string;
}

/**
 * What the fan-out uses of a subscriber's feed (FeedSubscription) beyond async iteration: events
 * already queued, taken without waiting; and a sink told of each event while the reader is idle,
 * which may write it at once instead of waking the reader.
 */
interface Feed extends AsyncIterator<unknown> {
  takeQueued?(): unknown;
  sink?: { tryDeliver(event: unknown): boolean };
}

/** Events sent to a socket in one write at most: a subscriber far behind still yields to the others. */
const maxBatch = 64;

/**
 * graphql-ws's `subscribe`, for the fan-out: each event is executed and serialised once per
 * group of subscribers that sent the same document, variables and operation name and share a
 * `groupKey` (the caller), instead of once per subscriber; each subscriber's `next` message is
 * that payload with its subscription id spliced in, written straight to its socket (graphql-ws's
 * own `next` would serialise the whole message again for every socket). Events already waiting
 * in a subscriber's queue go out with the current one in one write. The iterator handed to
 * graphql-ws yields nothing: it ends when the feed ends, and graphql-ws then sends `complete` as
 * before. The feed hands the same event object to every subscriber, so payloads are kept in a
 * WeakMap on that object and go when it does.
 */
export function groupedSubscribe(options: {
  /** Subscribers with the same key may share results (results must not depend on anything else in the context). */
  groupKey(contextValue: unknown): string;
  /** A fresh context for one execution (request-scoped loaders must not outlive one event). */
  contextForEvent(contextValue: unknown): unknown;
  /** The `payload` of a `next` message for a result, as JSON (errors formatted for the client). */
  serialise(result: ExecutionResult): string;
  /** The subscriber's socket and subscription id. */
  deliveryOf(contextValue: unknown): Delivery;
}) {
  const state: GroupsState = { inFlight: 0, payloads: new WeakMap(), groups: new Map(), options };
  const documentKeys = new WeakMap<DocumentNode, string>();
  const keyOf = (args: ExecutionArgs): string => {
    let text = documentKeys.get(args.document);
    if (text === undefined) documentKeys.set(args.document, (text = print(args.document)));
    return [text, args.operationName ?? '', JSON.stringify(args.variableValues ?? {}), options.groupKey(args.contextValue)].join('\u0000');
  };

  const subscribe = async (args: ExecutionArgs): Promise<AsyncIterableIterator<never> | ExecutionResult> => {
    const stream = await createSourceEventStream(args);
    if (!(Symbol.asyncIterator in stream)) return stream as ExecutionResult;
    const key = keyOf(args);
    let group = state.groups.get(key);
    if (!group) state.groups.set(key, (group = new Group(key, state)));
    group.members++;
    const { extra, id } = options.deliveryOf(args.contextValue);
    return new DirectDelivery(stream as unknown as Feed, group, args, extra, `{"id":${JSON.stringify(id)},"type":"next","payload":`);
  };
  /** Events being executed right now (a graceful shutdown waits for them). */
  const executing = () => state.inFlight;
  return Object.assign(subscribe, { executing });
}

interface GroupsState {
  inFlight: number;
  /** Per event object: the serialised payload per group key, or the execution under way. */
  payloads: WeakMap<object, Map<string, string | Pending>>;
  /** Groups with at least one subscriber. */
  groups: Map<string, Group>;
  options: Parameters<typeof groupedSubscribe>[0];
}

/** Subscribers that share results; one object for all of them (its key is kept once, not per subscriber). */
class Group {
  members = 0;
  constructor(
    readonly key: string,
    private readonly state: GroupsState,
  ) {}

  /** The serialised payload of `event` for this group: executed by the first member to ask, shared with the rest. */
  payloadFor(event: unknown, args: ExecutionArgs): string | Pending {
    const perEvent = typeof event === 'object' && event !== null ? event : null;
    let byGroup = perEvent ? this.state.payloads.get(perEvent) : undefined;
    const shared = byGroup?.get(this.key);
    if (shared !== undefined) return shared;
    const { state } = this;
    state.inFlight++;
    const pending: Pending = { waiters: [], text: undefined as unknown as Promise<string> };
    pending.text = Promise.resolve(execute({ ...args, rootValue: event, contextValue: state.options.contextForEvent(args.contextValue) }))
      .then((result) => {
        const text = state.options.serialise(result);
        // Later members take the string without waiting on a promise.
        byGroup?.set(this.key, text);
        // Members that met the event while it executed are written to in one loop, in the order they met it.
        const { waiters } = pending;
        pending.waiters = [];
        for (const waiter of waiters) waiter.release(text);
        return text;
      })
      .finally(() => state.inFlight--);
    // execute() reports resolver errors in its result and rejects only on a broken setup; members
    // waiting for it then meet the rejection when their reader next wakes. Never unhandled.
    pending.text.catch(() => undefined);
    if (perEvent) {
      if (!byGroup) state.payloads.set(perEvent, (byGroup = new Map()));
      byGroup.set(this.key, pending);
    }
    return pending;
  }

  leave(): void {
    if (--this.members === 0) this.state.groups.delete(this.key);
  }
}

/** An event's execution for one group, under way; members that met the event meanwhile wait in `waiters`. */
interface Pending {
  text: Promise<string>;
  waiters: DirectDelivery[];
}

/**
 * One subscriber: pulls events from its feed and writes their `next` messages to its socket. A
 * class, not closures, so an idle subscriber costs one object. Not an async generator: a
 * generator's return() waits for the pending next(), which waits for the next event; a closed
 * subscription must let go of the feed at once.
 */
class DirectDelivery implements AsyncIterableIterator<never> {
  private left = false;
  /** An event taken by `tryDeliver` whose payload is still executing: later events wait for it. */
  private held: Pending | null = null;
  /** The write `release` made into a backed-up socket: later events wait for it. */
  private flushing: Promise<void> | null = null;
  constructor(
    private readonly source: Feed,
    private readonly group: Group,
    private readonly args: ExecutionArgs,
    private readonly extra: SocketExtra,
    /** `{"id":"<subscription id>","type":"next","payload":`: the message up to its payload. */
    private readonly prefix: string,
  ) {
    if (typeof source.takeQueued === 'function') source.sink = this;
  }

  /**
   * The feed met an event while this subscriber was idle (nothing queued, reader waiting): write
   * it now when its payload is ready and the socket takes it, as a bare server would, with no
   * promise and no wake-up; while the group's execution is under way, wait with the group, which
   * writes to all its waiters in one loop. False: the reader takes the event the usual way.
   */
  tryDeliver(event: unknown): boolean {
    if (this.left || this.held || this.flushing) return false;
    const payload = this.group.payloadFor(event, this.args);
    if (typeof payload === 'string') return this.extra.trySend(this.prefix + payload + '}');
    this.held = payload;
    payload.waiters.push(this);
    return true;
  }

  /** The held event's payload is ready (called by the group). */
  release(text: string): void {
    this.held = null;
    if (this.left) return;
    const backedUp = this.extra.sendSerialised([this.prefix + text + '}']);
    // Rare (the socket is backed up), so the closure is made only then, not kept per subscriber.
    if (backedUp) this.flushing = backedUp.then(() => void (this.flushing = null), () => void (this.flushing = null));
  }

  /** Delivers until the feed ends; resolves done then (graphql-ws sends `complete` if the client still listens). */
  async next(): Promise<IteratorResult<never>> {
    try {
      for (;;) {
        // A socket the client is closing takes nothing more, and its close event may wait behind
        // megabytes already queued to it: without this a replay would run to the end of the
        // table, unthrottled, before the close let the feed go.
        const { socket } = this.extra;
        if (socket.readyState !== socket.OPEN) {
          await this.source.return?.();
          return { value: undefined, done: true };
        }
        const first = await this.source.next();
        if (first.done) return { value: undefined, done: true };
        const messages: string[] = [];
        for (let event: unknown = first.value; event !== undefined; event = messages.length < maxBatch ? this.source.takeQueued?.() : undefined) {
          const message = this.message(event);
          // Awaited only while the group's first member executes: a string costs no turn of the loop.
          messages.push(typeof message === 'string' ? message : await message);
        }
        // An event taken by tryDeliver goes first (its group's loop writes it before this continues).
        while (this.held || this.flushing) await (this.held?.text ?? this.flushing);
        // Completed while a payload was being executed: the client asked for nothing more.
        if (this.left) return { value: undefined, done: true };
        const backedUp = this.extra.sendSerialised(messages);
        if (backedUp) await backedUp;
      }
    } finally {
      this.leave();
    }
  }

  async return(): Promise<IteratorResult<never>> {
    this.leave();
    await this.source.return?.();
    return { value: undefined, done: true };
  }

  async throw(error: unknown): Promise<IteratorResult<never>> {
    this.leave();
    await this.source.return?.();
    throw error;
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  private message(event: unknown): string | Promise<string> {
    const payload = this.group.payloadFor(event, this.args);
    return typeof payload === 'string' ? this.prefix + payload + '}' : payload.text.then((text) => this.prefix + text + '}');
  }

  private leave(): void {
    if (this.left) return;
    this.left = true;
    this.source.sink = undefined;
    this.group.leave();
  }
}
