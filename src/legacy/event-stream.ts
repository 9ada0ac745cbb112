import type { IncomingHttpHeaders, ServerResponse } from 'node:http';
import Negotiator from 'negotiator';
import type { EventFeed } from '../events/event-feed';
import type { FeedEvent, FeedFilter } from '../events/feed-event';
import type { Logger } from '../ops/logger';
import { wireWord } from '../tasks/status-words';
import type { TaskStatus } from '../tasks/task-status';
import { isUuid } from '../tasks/task.validation';
import { badRequest, LegacyFailure } from './failure';
import { wordFilter } from './request';
import type { Spelling } from './shapes';

/** A change on the legacy wire: the `data` of one Server-Sent Event. */
export interface LegacyStatusEvent {
  uuid: string;
  /** created, updated or deleted. */
  kind: 'created' | 'updated' | 'deleted';
  /** The status word as written (for a deletion: the word the task had). */
  status: string;
  previous_status: string | null;
  /** The lifecycle phase of `status` (GraphQL TaskStatus). */
  phase: TaskStatus;
  log: string | null;
  at: string;
  by: string;
  version: number;
}

export function toLegacyStatusEvent(event: FeedEvent, log: string | null, spelling: Spelling): LegacyStatusEvent {
  const corrected = spelling === 'corrected';
  return {
    uuid: event.taskUuid,
    kind: event.kind.toLowerCase() as LegacyStatusEvent['kind'],
    status: wireWord(event.stage, corrected),
    previous_status: event.previousStage === null ? null : wireWord(event.previousStage, corrected),
    phase: event.status,
    log,
    at: String(Math.floor(event.at.getTime() / 1000)),
    by: event.by,
    version: event.version,
  };
}

/** Reads the whole log of an event whose log was left in the database (TaskService.eventLogOf). */
export type EventLogReader = (event: FeedEvent) => string | null | Promise<string | null>;

/** Frames already written, per event object and spelling: every stream shares one string (and one big-log read). */
const frames = new WeakMap<FeedEvent, Partial<Record<Spelling, Promise<string>>>>();

/**
 * One message of the stream; JSON never holds a raw newline, so `data` is one line. Unnamed (no
 * `event:` line): a browser EventSource hands every message to `onmessage`, as its users expect;
 * `kind` in the data tells a deletion from a change.
 */
export function sseFrame(event: FeedEvent, spelling: Spelling, readLog: EventLogReader): Promise<string> {
  let bySpelling = frames.get(event);
  if (!bySpelling) frames.set(event, (bySpelling = {}));
  return (bySpelling[spelling] ??= Promise.resolve(readLog(event)).then((log) => `id: ${event.id}\ndata: ${JSON.stringify(toLegacyStatusEvent(event, log, spelling))}\n\n`));
}

/** Server-Sent Events need `text/event-stream`; refusals are JSON, so an Accept of JSON alone is served too. */
export function acceptsEventStream(headers: IncomingHttpHeaders): boolean {
  return new Negotiator({ headers }).mediaType(['text/event-stream', 'application/json; charset=utf-8']) !== undefined;
}

/**
 * What a request asks of the feed: `?status=` (legacy spelling), `?id=` (a task uuid), and where
 * to resume: the `Last-Event-ID` header a reconnecting EventSource sends, else `?after=`.
 * Refuses bad values with 400 before anything is streamed.
 */
export function feedRequest(query: URLSearchParams, headers: IncomingHttpHeaders): { filter: FeedFilter; after: number | null } {
  const filter: FeedFilter = { statusChangesOnly: true };
  const status = query.get('status');
  if (status !== null) Object.assign(filter, wordFilter(status));
  const id = query.get('id');
  if (id !== null) {
    if (!isUuid(id)) throw badRequest('id: must be a UUID like 3f2c1a9e-0b7d-4c55-9a61-2f0e8d4b7c10');
    filter.taskUuid = id.toLowerCase();
  }
  const header = headers['last-event-id'];
  const lastEventId = typeof header === 'string' && header.trim() !== '' ? header.trim() : undefined;
  const resume = lastEventId ?? query.get('after') ?? undefined;
  let after: number | null = null;
  if (resume !== undefined && resume !== '') {
    const name = lastEventId !== undefined ? 'Last-Event-ID' : 'after';
    if (!/^\d{1,15}$/.test(resume)) throw badRequest(`${name}: must be an event id (a whole number)`);
    after = Number(resume);
  }
  return { filter, after };
}

export interface EventStreamOptions {
  feed: EventFeed;
  /** Events queued for one stream before it is closed as too slow (the WebSocket bound). */
  queueLimit: number;
  keepAliveMs: number;
  logger: Logger;
  /** Reads a big log left out of the feed; only events a stream writes pay for it. */
  readLog: EventLogReader;
}

/**
 * The open Server-Sent Events streams of the legacy API. Each is a subscription of the shared
 * event feed (replay after an id, then live: no gap, no duplicate), written out with backpressure.
 * A stream whose client cannot keep up overflows the feed's bounded queue and is closed; the
 * client reconnects with Last-Event-ID and loses nothing.
 */
export class EventStreams {
  private readonly open = new Set<() => void>();
  private closing = false;

  constructor(private readonly options: EventStreamOptions) {}

  get size(): number {
    return this.open.size;
  }

  /** Ends every stream (shutdown starts here: an open stream would hold the HTTP drain up). */
  closeAll(): void {
    this.closing = true;
    for (const close of [...this.open]) close();
  }

  async serve(res: ServerResponse, request: { filter: FeedFilter; after: number | null }, spelling: Spelling): Promise<void> {
    const { feed, queueLimit, keepAliveMs, logger } = this.options;
    if (this.closing) throw new LegacyFailure(503, 'the server is shutting down; reconnect to another instance or retry');
    const subscription = feed.subscribe(request.filter, request.after, queueLimit, (reason) => {
      if (reason === 'overflow') logger.warn({ queueLimit }, 'closing an event stream whose client fell too far behind; it can resume with Last-Event-ID');
      finish();
    });
    const finish = () => {
      void subscription.return();
      if (!res.writableEnded) res.end();
    };
    this.open.add(finish);
    res.once('close', finish);
    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache, no-transform',
      'x-accel-buffering': 'no',
    });
    // A first comment puts the headers on the wire at once; `retry` paces EventSource reconnects.
    res.write(': taskgate task events\nretry: 2000\n\n');
    const keepAlive = setInterval(() => {
      if (!res.writableNeedDrain && !res.writableEnded) res.write(': keep-alive\n\n');
    }, keepAliveMs);
    keepAlive.unref();
    try {
      for (;;) {
        const next = await subscription.next();
        if (next.done || res.writableEnded) break;
        const frame = await sseFrame(next.value, spelling, this.options.readLog);
        if (res.writableEnded) break;
        if (!res.write(frame)) await drained(res);
      }
    } catch (error) {
      // The replay could not read the database: end the stream; the client resumes where it was.
      logger.warn({ err: error }, 'event stream failed; closing it');
    } finally {
      clearInterval(keepAlive);
      this.open.delete(finish);
      res.off('close', finish);
      finish();
    }
  }
}

function drained(res: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      res.off('drain', done);
      res.off('close', done);
      res.off('finish', done);
      resolve();
    };
    res.on('drain', done);
    res.on('close', done);
    res.on('finish', done);
  });
}
