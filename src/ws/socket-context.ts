import type { Caller, Context } from '../context';
import type { FeedAccess, SubscriptionContext } from '../events/feed-context';
import type { FeedEvent, FeedFilter } from '../events/feed-event';
import type { Delivery } from './grouped-subscribe';
import type { SocketExtra } from './use-ws';

/** What every operation context on the WebSocket door shares: one object for the whole door. */
export interface SocketDoor {
  contextFor(caller: Caller): Context;
  /** A subscriber's events on `extra`'s socket (the door closes the socket when it falls behind). */
  openFeed(caller: Caller, extra: SocketExtra, filter: FeedFilter, after: number | null): AsyncIterableIterator<FeedEvent>;
}

/**
 * The GraphQL context of one operation over a socket. A subscription lives as long as its
 * socket, and thousands idle at once, so it holds only what it needs to be served: its caller,
 * where its messages go and the door. The rest of the usual context (task service, loaders,
 * answer budget) is made on first use: a query over the socket uses it, a subscription's events
 * each get a fresh one (grouped-subscribe.ts), so an idle subscriber holds none. Prototype
 * getters rather than closures, for the same reason.
 */
export class SocketOperationContext implements SubscriptionContext, Delivery, FeedAccess {
  private made: Context | undefined = undefined;
  constructor(
    readonly caller: Caller,
    /** The connection this operation's messages go to. */
    readonly extra: SocketExtra,
    /** The operation's id on its connection. */
    readonly id: string,
    private readonly door: SocketDoor,
  ) {}

  get tasks(): Context['tasks'] {
    return this.full().tasks;
  }
  get loaders(): Context['loaders'] {
    return this.full().loaders;
  }
  get answer(): Context['answer'] {
    return this.full().answer;
  }
  /** Where the subscription's events go: its socket and id. */
  get delivery(): Delivery {
    return this;
  }
  get feed(): FeedAccess {
    return this;
  }

  subscribe(filter: FeedFilter, after: number | null): AsyncIterableIterator<FeedEvent> {
    return this.door.openFeed(this.caller, this.extra, filter, after);
  }

  private full(): Context {
    return (this.made ??= this.door.contextFor(this.caller));
  }
}
