import { registerEnumType } from 'type-graphql';

export enum TaskStatus {
  PENDING = 'PENDING',
  IN_PROGRESS = 'IN_PROGRESS',
  SUCCESS = 'SUCCESS',
  FAILED = 'FAILED',
}

registerEnumType(TaskStatus, {
  name: 'TaskStatus',
  description: 'Where a task is in its life: PENDING -> IN_PROGRESS | FAILED; IN_PROGRESS -> SUCCESS | FAILED.',
  valuesConfig: {
    PENDING: { description: 'Created, not started.' },
    IN_PROGRESS: { description: 'Being worked on.' },
    SUCCESS: { description: 'Finished well. Final.' },
    FAILED: { description: 'Finished badly. Final.' },
  },
});

/** The state machine. A same-status "transition" is a log-only update and always allowed. */
const nextStatuses: Record<TaskStatus, readonly TaskStatus[]> = {
  [TaskStatus.PENDING]: [TaskStatus.IN_PROGRESS, TaskStatus.FAILED],
  [TaskStatus.IN_PROGRESS]: [TaskStatus.SUCCESS, TaskStatus.FAILED],
  [TaskStatus.SUCCESS]: [],
  [TaskStatus.FAILED]: [],
};

export const initialStatuses: readonly TaskStatus[] = [TaskStatus.PENDING, TaskStatus.IN_PROGRESS];

export function canTransition(from: TaskStatus, to: TaskStatus): boolean {
  return from === to || nextStatuses[from].includes(to);
}

export function isTaskStatus(value: unknown): value is TaskStatus {
  // Own keys only: `in` would also take 'toString' and '__proto__' from the prototype.
  return typeof value === 'string' && Object.hasOwn(nextStatuses, value);
}

/** Status names as legacy REST callers write them; `sucess` (sic) is what they compare against. */
const legacyNames: Record<TaskStatus, string> = {
  [TaskStatus.PENDING]: 'pending',
  [TaskStatus.IN_PROGRESS]: 'in progress',
  [TaskStatus.SUCCESS]: 'sucess',
  [TaskStatus.FAILED]: 'failed',
};

const fromLegacy = new Map<string, TaskStatus>([
  ...Object.entries(legacyNames).map(([status, name]) => [name, status as TaskStatus] as const),
  ['success', TaskStatus.SUCCESS],
  ['in_progress', TaskStatus.IN_PROGRESS],
]);

export function toLegacyStatus(status: TaskStatus, correctedSpelling = false): string {
  return correctedSpelling && status === TaskStatus.SUCCESS ? 'success' : legacyNames[status];
}

/** Reads a legacy status name (case-insensitive, `success` and `sucess` alike); undefined when unknown. */
export function fromLegacyStatus(name: string): TaskStatus | undefined {
  return fromLegacy.get(name.trim().toLowerCase());
}
