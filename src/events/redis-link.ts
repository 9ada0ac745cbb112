import { Redis, type RedisOptions } from 'ioredis';
import type { Logger } from '../ops/logger';
import type { EventLink, LinkHandlers, LinkStatus } from './event-link';
import { decodeFeedEvent, encodeFeedEvent, type FeedEvent } from './feed-event';

export interface RedisLinkOptions {
  url: string;
  channel: string;
  logger: Logger;
  /** While the link is down, how often to read the database for other instances' events. */
  pollWhileDownMs?: number;
  /** Latest id this instance has committed, announced after a reconnect. */
  highWater(): number;
}

/** Reconnect after 100 ms, doubling up to 5 s, for ever. */
const backoff = (attempt: number) => Math.min(100 * 2 ** Math.min(attempt, 10), 5000);

/**
 * Task events over Redis pub/sub: one connection subscribes, one publishes. Redis drops
 * messages while a link is down, so after every reconnect the feed is told to catch up from
 * the database, and this instance announces its latest id so the others catch up too.
 * A down link never blocks or fails a write: publishing is fire-and-forget.
 */
export function redisLink(options: RedisLinkOptions): EventLink {
  const common: RedisOptions = { lazyConnect: true, retryStrategy: backoff, maxRetriesPerRequest: 1, connectTimeout: 2000 };
  const sub = new Redis(options.url, { ...common, autoResubscribe: false, connectionName: 'taskgate-events-sub' });
  const pub = new Redis(options.url, { ...common, enableOfflineQueue: false, connectionName: 'taskgate-events-pub' });
  let subscribed = false;
  let stopping = false;
  // Until start() has settled nothing is reported: the publisher is ready a moment before the
  // subscription is, and a normal start must not log "down" just before "up".
  let starting = true;
  let subscribing: Promise<void> | undefined;
  let lastReported: LinkStatus | null = null;
  let poll: NodeJS.Timeout | undefined;

  const status = (): LinkStatus => (subscribed && pub.status === 'ready' ? 'up' : 'down');
  const report = () => {
    const now = status();
    if (now === lastReported || stopping || starting) return;
    lastReported = now;
    if (now === 'up') options.logger.info({ channel: options.channel }, 'event link to Redis is up');
    else options.logger.warn({ channel: options.channel }, 'event link to Redis is down; events from other instances are read from the database until it is back');
  };

  return {
    status,
    async start(handlers: LinkHandlers) {
      sub.on('message', (_channel: string, message: string) => {
        const high = /^\{"highWater":(\d+)\}$/.exec(message);
        if (high) return handlers.onHighWater(Number(high[1]));
        const event = decodeFeedEvent(message);
        if (event) handlers.onEvent(event);
      });
      sub.on('ready', () => {
        subscribing = sub.subscribe(options.channel).then(
          () => {
            subscribed = true;
            report();
            // Anything published while we were away is in the database.
            handlers.onMaybeMissed();
          },
          () => undefined,
        );
      });
      pub.on('ready', () => {
        report();
        pub.publish(options.channel, JSON.stringify({ highWater: options.highWater() })).catch(() => undefined);
      });
      for (const client of [sub, pub]) {
        client.on('error', () => undefined); // reported through status changes, not per retry
        client.on('close', () => {
          if (client === sub) subscribed = false;
          report();
        });
      }
      poll = setInterval(() => {
        if (status() === 'down') handlers.onMaybeMissed();
      }, options.pollWhileDownMs ?? 1000);
      poll.unref();
      // Down at start is not fatal: the gateway serves, and the clients keep retrying.
      await Promise.allSettled([sub.connect(), pub.connect()]);
      await subscribing;
      starting = false;
      report();
    },
    publish(event: FeedEvent) {
      if (pub.status !== 'ready') return;
      pub.publish(options.channel, encodeFeedEvent(event)).catch(() => undefined);
    },
    async stop() {
      stopping = true;
      if (poll) clearInterval(poll);
      await Promise.allSettled([sub.quit(), pub.quit()]);
      sub.disconnect();
      pub.disconnect();
    },
  };
}
