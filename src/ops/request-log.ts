import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import type { Logger } from './logger';
import type { Door, Metrics } from './metrics';

/**
 * What one request turned out to be, filled in by the door that handles it and read when the
 * response finishes: one log line and the request metrics come from it.
 */
export interface RequestRecord {
  door: Door;
  /** The authenticated caller's id. */
  user?: string;
  /** GraphQL operation name, when the request ran one. */
  operation?: string;
  /** Error codes sent to the client (GraphQL extensions.code). */
  errorCodes?: string[];
  /** Why a request was refused, when the door knows better than its status (legacy REST reason codes). */
  reason?: string;
}

/**
 * Each request's record rides on the request under a symbol: a property read where a WeakMap
 * entry per request was made, then looked up by each step of the door and by the log.
 */
const requestRecord = Symbol('taskgate.request');
type Recorded = IncomingMessage & { [requestRecord]?: RequestRecord };

function newRecord(): RequestRecord {
  // Every field present from the start: one object shape for all records.
  return { door: 'other', user: undefined, operation: undefined, errorCodes: undefined, reason: undefined };
}

/** The record of an HTTP request, created on first use. */
export function recordOf(req: IncomingMessage): RequestRecord {
  return ((req as Recorded)[requestRecord] ??= newRecord());
}

/** Marks a GraphQL context with its request's record (a symbol key survives Apollo's shallow copy of the context). */
const recordKey = Symbol('taskgate.requestRecord');

/**
 * Lets code that only sees the GraphQL context (Apollo plugins) reach the request's record. A
 * plain assignment (enumerable, so a spread copy keeps it): defineProperty on each request's
 * context cost about half a microsecond.
 */
export function linkRecord(context: object, req: IncomingMessage): void {
  (context as { [recordKey]?: RequestRecord })[recordKey] = recordOf(req);
}

export function recordOfContext(context: object): RequestRecord | undefined {
  return (context as { [recordKey]?: RequestRecord })[recordKey];
}

/** Tracks the responses in flight so shutdown can wait for them. */
export class InFlight {
  private readonly responses = new Set<ServerResponse>();
  private waiters: (() => void)[] = [];

  get size(): number {
    return this.responses.size;
  }

  enter(res: ServerResponse): void {
    this.responses.add(res);
  }

  leave(res: ServerResponse): void {
    this.responses.delete(res);
    if (this.responses.size === 0) for (const wake of this.waiters.splice(0)) wake();
  }

  /** Asks every client still waiting for an answer to close its connection after it. */
  closeAfterResponse(): void {
    for (const res of this.responses) if (!res.headersSent) res.setHeader('connection', 'close');
  }

  /** Resolves once nothing is in flight. */
  idle(): Promise<void> {
    return this.responses.size === 0 ? Promise.resolve() : new Promise((resolve) => this.waiters.push(resolve));
  }
}

export interface RequestLogOptions {
  logger: Logger;
  metrics: Metrics;
  inFlight: InFlight;
  /** True once shutdown began: responses then ask the client to close the connection. */
  stopping: () => boolean;
}

/**
 * Wraps the HTTP listener: one structured log line per request (method, path without the
 * query string, status, duration, user, operation), request metrics, in-flight counting.
 * Headers and bodies are never logged: signatures and secrets cannot leak from here.
 */
export function instrumentRequests(listener: RequestListener, options: RequestLogOptions): RequestListener {
  const { logger, metrics, inFlight, stopping } = options;
  return (req: IncomingMessage, res: ServerResponse) => {
    const started = performance.now();
    const record = ((req as Recorded)[requestRecord] = newRecord());
    inFlight.enter(res);
    if (stopping()) res.setHeader('connection', 'close');
    // A response emits 'close' once, after 'finish' or when the connection went first: one
    // listener serves both (writableFinished tells them apart).
    let done = false;
    const finish = () => {
      if (done) return;
      done = true;
      inFlight.leave(res);
      const seconds = (performance.now() - started) / 1000;
      const status = res.writableFinished ? res.statusCode : 499;
      metrics.observeRequest(record.door, record.operation, status, seconds);
      if (record.errorCodes?.length) for (const code of record.errorCodes) metrics.errors.inc({ door: record.door, code });
      else if (status >= 400) metrics.errors.inc({ door: record.door, code: `HTTP_${status}` });
      // At LOG_LEVEL=warn and above, a successful request writes no line: do not build one.
      if (status < 500 && !logger.isLevelEnabled('info')) return;
      const url = req.url ?? '/';
      const q = url.indexOf('?');
      const line = {
        method: req.method,
        path: q === -1 ? url : url.slice(0, q),
        status,
        durationMs: Math.round(seconds * 1e4) / 10,
        user: record.user,
        operation: record.operation,
        door: record.door,
        // Every refusal says why, so an operator sees a caller being refused without reading its code.
        reason: status >= 400 ? (record.reason ?? record.errorCodes?.[0] ?? `HTTP_${status}`) : undefined,
      };
      if (status >= 500) logger.warn(line, 'request');
      else logger.info(line, 'request');
    };
    res.on('close', finish);
    listener(req, res);
  };
}
