/**
 * The one way a test waits for something the server does in its own time (a key refresh, a
 * socket closing, a subscription registering): poll `condition` until it holds. The budget is a
 * ceiling for a server that never gets there, not a speed measurement, so it is generous: a busy
 * machine (CI, `stress-ng` beside the suite) may take many times as long as an idle one.
 */
export const defaultPatienceMs = 30_000;

export async function eventually(condition: () => boolean | Promise<boolean>, what: string, ms = defaultPatienceMs): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}
