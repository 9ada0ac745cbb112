import { compareEventIds } from './resume';
import { type Credentials, presign, type PresignOptions } from './signing';

/** The parts of the EventSource interface used here (browsers' own, or the `eventsource` package in Node). */
interface EventSourceLike {
  readonly readyState: number;
  addEventListener(type: string, listener: (event: { data: string; lastEventId: string }) => void): void;
  onerror: ((event: never) => unknown) | null;
  onopen: ((event: never) => unknown) | null;
  close(): void;
}
type EventSourceClass = new (url: string) => EventSourceLike;

export interface FeedEvent {
  /** The event id (SSE `id:`), the same ids as the GraphQL feeds. */
  id: string;
  /** The parsed `data:` line: uuid, status, previous_status, log, at, by, version. */
  data: Record<string, unknown>;
}

export interface EventStreamOptions extends Omit<PresignOptions, 'verb'> {
  /** URL of `/tasks/events` (any prefix), with its filters (`?status=…`, `?id=…`). */
  url: string;
  /** Signs the URL afresh for every connection; without it the URL is used as it is. */
  credentials?: Credentials;
  /** Resume after this event id. */
  after?: string;
  onEvent(event: FeedEvent): void;
  /** Told when the stream is (re)opened and when it is waiting to reconnect. */
  onState?(state: 'open' | 'reconnecting'): void;
  /** EventSource implementation: the browser's by default; in Node pass `EventSource` from the `eventsource` package. */
  EventSource?: EventSourceClass;
  /** Milliseconds before opening again a stream the EventSource gave up on (default 1000). */
  retryMs?: number;
}

const closed = 2;

/**
 * Follows taskgate's Server-Sent Events feed from a browser or Node, exactly: the EventSource
 * resumes by itself with Last-Event-ID after a network drop; when it gives up (a 503 during a
 * restart, an expired presigned URL) a new one is opened on a freshly presigned URL with
 * `after=<last id>`. Events at or below the last id are dropped. Returns the function that stops it.
 */
export function followEventStream(options: EventStreamOptions): () => void {
  const Impl = options.EventSource ?? (globalThis as unknown as { EventSource?: EventSourceClass }).EventSource;
  if (!Impl) throw new Error('taskgate/client: no EventSource here; in Node pass EventSource from the `eventsource` package');
  let last = options.after;
  let source: EventSourceLike | undefined;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let stopped = false;

  const urlFor = async (): Promise<string> => {
    const url = new URL(options.url);
    if (last !== undefined) url.searchParams.set('after', last);
    return options.credentials ? presign(options.credentials, url, { ...options, verb: 'GET' }) : url.href;
  };
  const reopen = () => {
    if (stopped || timer) return;
    options.onState?.('reconnecting');
    timer = setTimeout(() => {
      timer = undefined;
      void open();
    }, options.retryMs ?? 1000);
  };
  const open = async () => {
    let url: string;
    try {
      url = await urlFor();
    } catch {
      return reopen();
    }
    if (stopped) return;
    const current = new Impl(url);
    source = current;
    current.onopen = () => options.onState?.('open');
    const deliver = (message: { data: string; lastEventId: string }) => {
      const id = message.lastEventId;
      if (!id || (last !== undefined && compareEventIds(id, last) <= 0)) return;
      last = id;
      options.onEvent({ id, data: JSON.parse(message.data) as Record<string, unknown> });
    };
    // Unnamed events, and the `status` events servers before signing v2 sent.
    current.addEventListener('message', deliver);
    current.addEventListener('status', deliver);
    current.onerror = () => {
      if (current.readyState === closed) {
        current.close();
        reopen();
      } else {
        options.onState?.('reconnecting');
      }
    };
  };
  void open();
  return () => {
    stopped = true;
    if (timer) clearTimeout(timer);
    source?.close();
  };
}
