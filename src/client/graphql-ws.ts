import { type Client, type ClientOptions, CloseCode, createClient, type FormattedExecutionResult, type Sink, type SubscribePayload } from 'graphql-ws';
import { eventIdOf, FeedPosition } from './resume';
import { connectionParams, type Credentials, type SignerOptions } from './signing';

/**
 * graphql-ws set up for taskgate: every (re)connect signs afresh (a static connectionParams object
 * goes stale after TASKGATE_CLOCK_SKEW), restarts and network drops are retried for ever with
 * backoff, and only a refused key (close 4403) stops it.
 */
export interface TaskgateClientOptions extends Partial<Omit<ClientOptions, 'url'>>, SignerOptions {
  /** ws:// or wss:// URL of /graphql. */
  url: string;
  /** The key to sign with; without one the connection is unsigned (a server with TASKGATE_AUTH=off). */
  credentials?: Credentials;
}

/** 0.5 s doubling to 8 s, with up to 50% jitter so a restarted server is not hit by every client at once. */
export function backoff(retries: number): Promise<void> {
  const base = Math.min(8000, 500 * 2 ** Math.min(retries, 4));
  return new Promise((resolve) => setTimeout(resolve, base / 2 + Math.random() * (base / 2)));
}

function closeCodeOf(errorOrClose: unknown): number | undefined {
  const code = (errorOrClose as { code?: unknown } | null)?.code;
  return typeof code === 'number' ? code : undefined;
}

/**
 * True for what a retry can cure: a close (restart, network, a slow consumer's 4008) or a socket
 * error (connection refused while the server restarts). False for a refused key (4403) and for
 * errors thrown here (e.g. no WebCrypto to sign with), which no retry changes.
 */
export function retryable(errorOrClose: unknown): boolean {
  if (errorOrClose instanceof Error) return false;
  return closeCodeOf(errorOrClose) !== CloseCode.Forbidden;
}

function defaultWebSocket(): unknown {
  if (typeof (globalThis as { WebSocket?: unknown }).WebSocket === 'function') return undefined;
  // Node before 22 has no global WebSocket; taskgate ships `ws`.
  return typeof require === 'function' ? require('ws') : undefined;
}

/**
 * A graphql-ws client for taskgate. Its `subscribe` resumes feeds exactly (see subscribeResumable)
 * for every subscription that declares `$after`; other operations pass through unchanged. Hand it
 * to Apollo's GraphQLWsLink or urql's subscriptionExchange as any graphql-ws client.
 */
export function createTaskgateClient(options: TaskgateClientOptions): Client {
  const { credentials, md5, now, url, ...rest } = options;
  const client = createClient({
    url,
    webSocketImpl: defaultWebSocket(),
    connectionParams: credentials ? () => connectionParams(credentials, url, { md5, now }) : undefined,
    retryAttempts: Infinity,
    retryWait: backoff,
    shouldRetry: retryable,
    ...rest,
  });
  const plain = client.subscribe.bind(client);
  return {
    ...client,
    subscribe(payload, sink) {
      return isFeed(payload) ? subscribeResumable(plain, payload, sink).unsubscribe : plain(payload, sink);
    },
  };
}

/** A subscription that can resume: it declares an `$after` variable. */
export function isFeed(payload: SubscribePayload): boolean {
  return /^\s*subscription\b/m.test(payload.query) && /\$after\s*:/.test(payload.query);
}

export interface ResumableOptions {
  /** Start after this event id (e.g. `lastEventId` read before loading a list); default: from now on. */
  after?: string;
  /** The id of an event in a result; default: the `id` of the result's root field. */
  eventId?: (result: FormattedExecutionResult<Record<string, unknown>, unknown>) => string | undefined;
}

/**
 * Subscribes to a taskgate feed (a subscription taking `$after: ID` and selecting `id`) so that it
 * resumes exactly: each (re)subscription sends `after` = the last event id handed on, and a
 * duplicate by id is dropped. Returns the function that ends it, like `client.subscribe`.
 */
export function subscribeResumable<T = Record<string, unknown>, E = unknown>(
  subscribe: Client['subscribe'],
  payload: SubscribePayload,
  sink: Sink<FormattedExecutionResult<T, E>>,
  options: ResumableOptions = {},
): { unsubscribe: () => void; position: FeedPosition } {
  const position = new FeedPosition(options.after ?? (payload.variables?.after as string | undefined) ?? undefined);
  const eventId = options.eventId ?? eventIdOf;
  const base = payload.variables ?? {};
  // graphql-ws sends this same payload again on every reconnect; the getter makes each resend
  // carry the position reached by then.
  const resumable: SubscribePayload = {
    ...payload,
    get variables() {
      return position.variables(base);
    },
  };
  const unsubscribe = subscribe<T, E>(resumable, {
    next(result) {
      if (position.accept(eventId(result as FormattedExecutionResult<Record<string, unknown>, unknown>))) sink.next(result);
    },
    error: (error) => sink.error(error),
    complete: () => sink.complete(),
  });
  return { unsubscribe, position };
}
