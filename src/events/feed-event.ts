import type { TaskEvent } from '../tasks/task-event.entity';
import type { TaskStatus } from '../tasks/task-status';

/** A committed task event as the feeds carry it: the row plus what filters need (the task's type). */
export interface FeedEvent extends TaskEvent {
  /** The id as a number, for ordering (ids stay far below 2^53). */
  seq: number;
  taskType: string | null;
}

/** What a subscriber asked for; every field optional, combined with AND. */
export interface FeedFilter {
  taskUuid?: string;
  status?: TaskStatus;
  type?: string;
  /** Only changes of status (the creation counts as one); false: log-only updates too. */
  statusChangesOnly: boolean;
}

export function toFeedEvent(event: TaskEvent, taskType: string | null): FeedEvent {
  return { ...event, seq: Number(event.id), taskType };
}

export function matches(filter: FeedFilter, event: FeedEvent): boolean {
  if (filter.statusChangesOnly && event.previousStatus === event.status) return false;
  if (filter.taskUuid !== undefined && filter.taskUuid !== event.taskUuid) return false;
  if (filter.status !== undefined && filter.status !== event.status) return false;
  if (filter.type !== undefined && filter.type !== event.taskType) return false;
  return true;
}

/** The JSON sent between instances. */
export function encodeFeedEvent(event: FeedEvent): string {
  const { seq: _seq, at, ...rest } = event;
  return JSON.stringify({ ...rest, at: at.toISOString() });
}

export function decodeFeedEvent(text: string): FeedEvent | null {
  try {
    const raw = JSON.parse(text) as Record<string, unknown>;
    if (typeof raw.id !== 'string' || !/^\d+$/.test(raw.id) || typeof raw.taskUuid !== 'string') return null;
    return {
      id: raw.id,
      seq: Number(raw.id),
      taskUuid: raw.taskUuid,
      version: Number(raw.version),
      status: raw.status as TaskStatus,
      previousStatus: (raw.previousStatus as TaskStatus | null) ?? null,
      log: (raw.log as string | null) ?? null,
      at: new Date(String(raw.at)),
      by: String(raw.by),
      taskType: (raw.taskType as string | null) ?? null,
    };
  } catch {
    return null;
  }
}
