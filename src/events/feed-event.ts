import { type TaskEvent, TaskEventKind } from '../tasks/task-event.entity';
import type { TaskStatus } from '../tasks/task-status';
import { inlineLogBytes } from '../tasks/task.store';

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
  /** The status word (normalised). */
  stage?: string;
  type?: string;
  /** Only changes of word or phase (creations and deletions count); false: log-only updates too. */
  statusChangesOnly: boolean;
}

/**
 * A feed event from a committed one. A log bigger than inlineLogBytes is not carried (not to
 * each subscriber, not over Redis): `logDeferred` says to read it by event id when selected.
 */
export function toFeedEvent(event: TaskEvent, taskType: string | null): FeedEvent {
  const big = event.log !== null && event.log.length > inlineLogBytes / 4 && Buffer.byteLength(event.log) > inlineLogBytes;
  const carried = big ? { ...event, log: null, logDeferred: true } : event;
  return { ...carried, seq: Number(event.id), taskType };
}

/** True for an update that changed only the log. */
export function isLogOnly(event: Pick<TaskEvent, 'kind' | 'status' | 'previousStatus' | 'stage' | 'previousStage'>): boolean {
  return event.kind === TaskEventKind.UPDATED && event.previousStatus === event.status && event.previousStage === event.stage;
}

export function matches(filter: FeedFilter, event: FeedEvent): boolean {
  if (filter.statusChangesOnly && isLogOnly(event)) return false;
  if (filter.taskUuid !== undefined && filter.taskUuid !== event.taskUuid) return false;
  if (filter.status !== undefined && filter.status !== event.status) return false;
  if (filter.stage !== undefined && filter.stage !== event.stage) return false;
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
      kind: (raw.kind as TaskEventKind | undefined) ?? TaskEventKind.UPDATED,
      version: Number(raw.version),
      status: raw.status as TaskStatus,
      previousStatus: (raw.previousStatus as TaskStatus | null) ?? null,
      stage: String(raw.stage ?? ''),
      previousStage: (raw.previousStage as string | null) ?? null,
      log: (raw.log as string | null) ?? null,
      ...(raw.logDeferred === true ? { logDeferred: true } : {}),
      at: new Date(String(raw.at)),
      by: String(raw.by),
      taskType: (raw.taskType as string | null) ?? null,
    };
  } catch {
    return null;
  }
}
