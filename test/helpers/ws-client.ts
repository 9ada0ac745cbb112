import { type Client, createClient } from 'graphql-ws';
import WebSocket from 'ws';
import { testKeys } from './server';
import { defaultPatienceMs } from './eventually';
import { signedConnectionParams } from './signing';

/**
 * A real graphql-ws client over the `ws` package, the way a UI connects. Unless the test
 * gives its own, connection params are signed for the test writer key, afresh at every
 * (re)connect so a retry carries a current date.
 */
export function wsClient(
  wsUrl: string,
  options: { retryAttempts?: number; webSocketImpl?: unknown; connectionParams?: Record<string, unknown>; onClosed?: (event: { code: number; reason: string }) => void } = {},
): Client {
  const client = createClient({
    url: wsUrl,
    webSocketImpl: options.webSocketImpl ?? WebSocket,
    connectionParams: options.connectionParams ?? (() => signedConnectionParams(testKeys.writer, new URL(wsUrl).host)),
    retryAttempts: options.retryAttempts ?? 0,
    lazy: false,
    on: options.onClosed ? { closed: (event) => options.onClosed!(event as { code: number; reason: string }) } : undefined,
    onNonLazyError: () => undefined,
  });
  return client;
}

/** One subscription, collecting what arrives. */
export class Collected<T = any> {
  readonly events: T[] = [];
  errors: unknown[] = [];
  completed = false;
  private dispose: () => void = () => undefined;
  private waiters: (() => void)[] = [];

  constructor(client: Client, query: string, variables: Record<string, unknown> = {}, private readonly field = firstField(query)) {
    this.dispose = client.subscribe<Record<string, T>>(
      { query, variables },
      {
        next: (result) => {
          if (result.errors) this.errors.push(...result.errors);
          if (result.data) this.events.push(result.data[this.field]);
          this.wake();
        },
        error: (error) => {
          this.errors.push(error);
          this.wake();
        },
        complete: () => {
          this.completed = true;
          this.wake();
        },
      },
    );
  }

  /** Resolves once `n` events have arrived (or fails after `ms`, listing what did). */
  async waitFor(n: number, ms = defaultPatienceMs): Promise<T[]> {
    return this.until(() => this.events.length >= n, ms, `${n} events`).then(() => this.events);
  }

  async until(condition: () => boolean, ms = defaultPatienceMs, what = 'a condition'): Promise<void> {
    const deadline = Date.now() + ms;
    while (!condition()) {
      if (this.errors.length && !what.includes('error')) throw new Error(`subscription failed: ${JSON.stringify(this.errors)}`);
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; have ${this.events.length} events, errors ${JSON.stringify(this.errors)}`);
      await new Promise<void>((resolve) => {
        this.waiters.push(resolve);
        setTimeout(resolve, 100);
      });
    }
  }

  stop(): void {
    this.dispose();
  }

  private wake(): void {
    for (const w of this.waiters.splice(0)) w();
  }
}

function firstField(query: string): string {
  const match = /subscription[^{]*\{\s*(\w+)/.exec(query);
  if (!match) throw new Error('expected a subscription document');
  return match[1];
}

/** Kept here too for suites that import it from this file; it lives in ./eventually. */
export { eventually } from './eventually';
