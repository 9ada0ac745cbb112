import { GraphQLError } from 'graphql';

/** Codes a client can act on; each one is documented in the README. */
export type DomainErrorCode =
  | 'TASK_NOT_FOUND'
  | 'TASK_ALREADY_EXISTS'
  | 'BAD_USER_INPUT'
  | 'INVALID_TRANSITION'
  | 'VERSION_CONFLICT'
  | 'SERVICE_UNAVAILABLE';

/** An error that is ours: its message and extensions reach the client unmasked. */
export class DomainError extends GraphQLError {
  constructor(
    readonly code: DomainErrorCode,
    message: string,
    details: Record<string, unknown> = {},
  ) {
    super(message, { extensions: { code, ...details } });
    this.name = 'DomainError';
  }
}

export const taskNotFound = (id: string) => new DomainError('TASK_NOT_FOUND', `task ${id} not found`, { id });

export const taskAlreadyExists = (id: string) =>
  new DomainError('TASK_ALREADY_EXISTS', `a task with id ${id} already exists`, { id });

/** The id of a deleted task: its history stays under that id, so it is not given out again. */
export const taskIdRetired = (id: string) =>
  new DomainError('TASK_ALREADY_EXISTS', `the id ${id} belonged to a deleted task whose history is kept; use another id`, { id });

export const badInput = (field: string, problem: string) =>
  new DomainError('BAD_USER_INPUT', `${field}: ${problem}`, { field });

/** Names the words too when they are not just their phase's documented word: `from error (FAILED) to dispatching (IN_PROGRESS)`. */
export const invalidTransition = (from: { phase: string; word: string; documented: boolean }, to: { phase: string; word: string; documented: boolean }) => {
  const name = (side: typeof from) => (side.documented ? side.phase : `${side.word} (${side.phase})`);
  return new DomainError('INVALID_TRANSITION', `a task cannot go from ${name(from)} to ${name(to)}`, {
    from: from.phase,
    to: to.phase,
    fromStage: from.word,
    toStage: to.word,
  });
};

export const versionConflict = (expected: number, actual: number) =>
  new DomainError('VERSION_CONFLICT', `expected version ${expected} but the task is at version ${actual}`, {
    expectedVersion: expected,
    actualVersion: actual,
  });

export const serviceUnavailable = (what: string) =>
  new DomainError('SERVICE_UNAVAILABLE', `${what} is unavailable; try again shortly`);
