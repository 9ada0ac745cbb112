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

/** The state machine, on phases. A same-phase change (another word, or only the log) is always allowed; SUCCESS and FAILED are final. */
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
