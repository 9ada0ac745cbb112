import type { Context } from '../context';
import type { FeedEvent, FeedFilter } from './feed-event';

/** What a subscription resolver needs from the connection it runs on. */
export interface FeedAccess {
  /** A subscriber's events; `after`: replay stored events with greater ids first. */
  subscribe(filter: FeedFilter, after: number | null): AsyncIterableIterator<FeedEvent>;
}

/** The GraphQL context of an operation over WebSocket: the usual one plus the feed. */
export type SubscriptionContext = Context & { feed?: FeedAccess };
