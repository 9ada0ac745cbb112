/** One part readiness depends on: resolves when it is fine, throws (with a reason) when not. */
export type ReadinessCheck = () => Promise<void>;

export interface ReadinessReport {
  ready: boolean;
  /** Names of the checks that failed, in registration order. */
  failing: string[];
  checks: Record<string, { ok: true } | { ok: false; error: string }>;
}

/**
 * GET /readyz: every registered check must pass within the timeout. Parts register their own
 * (`app.readiness.register('redis', async () => ...)`); checks run side by side.
 */
export class Readiness {
  private readonly checks = new Map<string, ReadinessCheck>();
  private stopping = false;

  constructor(private readonly timeoutMs: number) {}

  register(name: string, check: ReadinessCheck): void {
    if (this.checks.has(name)) throw new Error(`readiness check "${name}" is already registered`);
    this.checks.set(name, check);
  }

  /** From the start of shutdown on, the instance says it is not ready, so balancers stop sending. */
  markStopping(): void {
    this.stopping = true;
  }

  async report(): Promise<ReadinessReport> {
    const entries = [...this.checks.entries()];
    const results = await Promise.all(entries.map(([, check]) => this.run(check)));
    const report: ReadinessReport = { ready: true, failing: [], checks: {} };
    if (this.stopping) {
      report.ready = false;
      report.failing.push('shutdown');
      report.checks.shutdown = { ok: false, error: 'the instance is shutting down' };
    }
    entries.forEach(([name], i) => {
      const error = results[i];
      report.checks[name] = error === undefined ? { ok: true } : { ok: false, error };
      if (error !== undefined) {
        report.ready = false;
        report.failing.push(name);
      }
    });
    return report;
  }

  /** undefined when the check passed, else why it did not. */
  private async run(check: ReadinessCheck): Promise<string | undefined> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer within ${this.timeoutMs} ms`)), this.timeoutMs);
    });
    try {
      await Promise.race([check(), timeout]);
      return undefined;
    } catch (error) {
      return error instanceof Error ? error.message : String(error);
    } finally {
      clearTimeout(timer);
    }
  }
}
