/** One part readiness depends on: resolves when it is fine, throws (with a reason) when not. */
export type ReadinessCheck = () => Promise<void>;

export interface ReadinessReport {
  ready: boolean;
  /** Names of the required checks that failed, in registration order. */
  failing: string[];
  /** Names of the optional checks that failed: the instance serves, with less (e.g. no Redis). */
  degraded: string[];
  checks: Record<string, { ok: true } | { ok: false; error: string }>;
}

export interface CheckOptions {
  /**
   * A failing required check makes the instance unready (503); a failing optional one is
   * reported as degraded and the answer stays 200, because the instance can still serve.
   */
  required?: boolean;
}

/**
 * GET /readyz: "can this instance serve?". Every required check must pass within the timeout;
 * optional ones only say what is degraded. Parts register their own
 * (`app.readiness.register('redis', async () => ..., { required: false })`); checks run side by side.
 */
export class Readiness {
  private readonly checks = new Map<string, { check: ReadinessCheck; required: boolean }>();
  private stopping = false;

  constructor(private readonly timeoutMs: number) {}

  register(name: string, check: ReadinessCheck, options: CheckOptions = {}): void {
    if (this.checks.has(name)) throw new Error(`readiness check "${name}" is already registered`);
    this.checks.set(name, { check, required: options.required ?? true });
  }

  /** From the start of shutdown on, the instance says it is not ready, so balancers stop sending. */
  markStopping(): void {
    this.stopping = true;
  }

  async report(): Promise<ReadinessReport> {
    const entries = [...this.checks.entries()];
    const results = await Promise.all(entries.map(([, { check }]) => this.run(check)));
    const report: ReadinessReport = { ready: true, failing: [], degraded: [], checks: {} };
    if (this.stopping) {
      report.ready = false;
      report.failing.push('shutdown');
      report.checks.shutdown = { ok: false, error: 'the instance is shutting down' };
    }
    entries.forEach(([name, { required }], i) => {
      const error = results[i];
      report.checks[name] = error === undefined ? { ok: true } : { ok: false, error };
      if (error === undefined) return;
      if (required) {
        report.ready = false;
        report.failing.push(name);
      } else {
        report.degraded.push(name);
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
