/** What came first: the work settling (with its value), or the time running out. */
export type Outcome<T> = { timedOut: false; value: T } | { timedOut: true };

/**
 * The one promise-with-timeout: waits for `work` at most `ms` milliseconds. A rejection of
 * `work` within the time rejects; the work itself is not cancelled (callers log or move on).
 * The timer is cleared either way, so nothing is left to hold the process open.
 */
export async function withTimeout<T>(work: Promise<T>, ms: number): Promise<Outcome<T>> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      work.then((value): Outcome<T> => ({ timedOut: false, value })),
      new Promise<Outcome<T>>((resolve) => {
        timer = setTimeout(() => resolve({ timedOut: true }), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}
