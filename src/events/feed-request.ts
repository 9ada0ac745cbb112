import { isUuid, uuidProblem } from '../tasks/task.validation';

/** How a door refuses a bad part of a feed request: SSE with a 400, GraphQL with BAD_USER_INPUT. */
export type Refuse = (field: string, problem: string) => Error;

/**
 * The feed-request checks both feeds share (SSE GET /tasks/events and the GraphQL
 * subscriptions), so a value one door accepts the other does too: the task to follow
 * (`id`, a UUID, lowercased) ...
 */
export function feedTaskId(field: string, written: string, refuse: Refuse): string {
  if (!isUuid(written)) throw refuse(field, uuidProblem);
  return written.toLowerCase();
}

/** ... and the event to resume after (`after`, SSE's Last-Event-ID): a whole number of up to 15 digits. */
export function feedEventId(field: string, written: string, refuse: Refuse): number {
  if (!/^\d{1,15}$/.test(written)) throw refuse(field, 'must be an event id (a whole number)');
  return Number(written);
}
