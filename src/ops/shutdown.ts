import { withTimeout } from '../lib/with-timeout';
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
