import type { Server } from 'node:http';
import { withTimeout } from '../lib/with-timeout';
import type { Readiness } from './readiness';
import type { InFlight } from './request-log';
import type { Logger } from './logger';

/** Something to close at shutdown; gets the milliseconds left before the deadline. */
export type Closer = (remainingMs: number) => Promise<void> | void;

/**
 * Ordered shutdown steps that other parts register (e.g. the WebSocket layer: close sockets
 * with 1001; the event link: close Redis). They run in registration order after HTTP has
 * drained and before the database closes; a step that throws or overruns is logged and the
 * next one still runs.
 */
export class Closers {
  private readonly steps: { name: string; close: Closer }[] = [];

  add(name: string, close: Closer): void {
    this.steps.push({ name, close });
  }

  async run(deadline: number, logger: Logger): Promise<void> {
    for (const step of this.steps) {
      const remaining = Math.max(0, deadline - Date.now());
      try {
        const outcome = await withTimeout(Promise.resolve().then(() => step.close(remaining)), remaining);
        if (outcome.timedOut) logger.warn({ step: step.name }, 'shutdown step overran the timeout; going on');
      } catch (error) {
        logger.error({ err: error, step: step.name }, 'shutdown step failed; going on');
      }
    }
  }
}

/** Resolves with true when `work` settles within `ms`, false when the time ran out first. */
export async function within(work: Promise<unknown>, ms: number): Promise<boolean> {
  return !(await withTimeout(work, ms)).timedOut;
}

/** What a graceful stop closes, in this order. */
export interface StopParts {
  server: Server;
  readiness: Readiness;
  inFlight: InFlight;
  /** Open streams that never drain by themselves (Server-Sent Events): ended first. */
  endStreams(): void;
  /** Upgraded WebSockets: deliver what is queued, then close them with 1001. */
  closeSockets(): Promise<void>;
  closers: Closers;
  /** Last: Apollo (when it started) and the database. */
  closeLast(): Promise<void>;
  timeoutMs: number;
  logger: Logger;
}

/**
 * Graceful stop: readiness turns 503, the server stops accepting, in-flight requests finish
 * (bounded by the timeout, then connections are cut), sockets close, the closers run, then
 * what is closed last.
 */
export async function drainAndClose(parts: StopParts): Promise<void> {
  const { server, inFlight, logger } = parts;
  const deadline = Date.now() + parts.timeoutMs;
  parts.readiness.markStopping();
  inFlight.closeAfterResponse();
  parts.endStreams();
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  server.closeIdleConnections();
  // Responses finished while stopping carry "connection: close" (set above for those in
  // flight, by the request log for later ones); idle keep-alive connections are closed here.
  const sweep = setInterval(() => server.closeIdleConnections(), 100);
  const drained = await within(inFlight.idle(), Math.max(0, deadline - Date.now()));
  clearInterval(sweep);
  if (!drained) logger.warn({ inFlight: inFlight.size }, 'shutdown timeout: cutting the requests still in flight');
  server.closeAllConnections();
  // Upgraded WebSockets keep the server open.
  await within(parts.closeSockets(), Math.max(0, deadline - Date.now()));
  await closed;
  await parts.closers.run(deadline, logger);
  await parts.closeLast();
}
