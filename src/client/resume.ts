/**
 * Exact resume for taskgate's live feeds: every feed event has an id, ids only grow, and a feed
 * started `after` an id replays what came later. A position keeps the last id handed on; the feed
 * is always (re)started after it, and anything at or below it (a replay overlapping a live event)
 * is dropped.
 */

/** Compares two decimal event ids without losing precision beyond 2^53. */
export function compareEventIds(a: string, b: string): number {
  const x = a.replace(/^0+(?=\d)/, '');
  const y = b.replace(/^0+(?=\d)/, '');
  if (x.length !== y.length) return x.length < y.length ? -1 : 1;
  return x < y ? -1 : x > y ? 1 : 0;
}

/** The id of the event in a subscription result: the `id` of its root field (`{ data: { taskUpdated: { id } } }`). */
export function eventIdOf(result: { data?: Record<string, unknown> | null } | undefined): string | undefined {
  const data = result?.data;
  if (!data) return undefined;
  for (const value of Object.values(data)) {
    const id = (value as { id?: unknown } | null)?.id;
    if (typeof id === 'string' || typeof id === 'number') return String(id);
  }
  return undefined;
}

export class FeedPosition {
  /** Events passed on; `dropped` counts duplicates held back. */
  delivered = 0;
  dropped = 0;

  constructor(private last: string | undefined = undefined) {}

  /** The id to resume after (undefined: from now on). */
  get lastEventId(): string | undefined {
    return this.last;
  }

  /** True when the event is new (and moves the position), false for one already passed on. */
  accept(id: string | undefined): boolean {
    if (id === undefined) return true;
    if (this.last !== undefined && compareEventIds(id, this.last) <= 0) {
      this.dropped++;
      return false;
    }
    this.last = id;
    this.delivered++;
    return true;
  }

  /** The variables to (re)start the feed with: the caller's, with `after` the last id seen. */
  variables(base: Record<string, unknown> | undefined): Record<string, unknown> {
    return this.last === undefined ? { ...base } : { ...base, after: this.last };
  }
}
