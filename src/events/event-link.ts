import type { FeedEvent } from './feed-event';

/** State of the link to other instances, for readiness: 'off' when there is none to have. */
export type LinkStatus = 'up' | 'down' | 'off';

/** What a link tells the feed. */
export interface LinkHandlers {
  /** An event committed on some instance (this one included). */
  onEvent(event: FeedEvent): void;
  /** Some instance has committed up to this id (its events may have been lost in transit). */
  onHighWater(id: number): void;
  /** Messages may have been lost: read the database for anything missed. */
  onMaybeMissed(): void;
  /** The latest id this instance has seen committed, for a link to announce (after a reconnect). */
  highWater(): number;
}

/** Carries committed events between gateway instances. */
export interface EventLink {
  status(): LinkStatus;
  start(handlers: LinkHandlers): Promise<void>;
  publish(event: FeedEvent): void;
  stop(): Promise<void>;
}

/** No other instances: events never leave the process (the feed hears them directly). */
export function inProcessLink(): EventLink {
  return {
    status: () => 'off',
    start: async () => undefined,
    publish: () => undefined,
    stop: async () => undefined,
  };
}
