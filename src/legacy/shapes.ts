import { documentedWordOf, wireWord } from '../tasks/status-words';
import { TaskStatus } from '../tasks/task-status';

/** A task as the legacy operations select it from GraphQL (fragment LegacyTask). */
export interface GraphqlTask {
  id: string;
  description: string;
  status: TaskStatus;
  stage: string;
  type: string | null;
  objectUuid: string | null;
  created: { at: string; by: string };
  lastUpdate: string;
  log: string | null;
  version: number;
}

/** A task on the legacy wire. `version` is an addition; every other field is as the reference has it. */
export interface LegacyTask {
  uuid: string;
  description: string;
  status: string;
  type: string | null;
  object_uuid: string | null;
  created: { at: string; by: string };
  last_update: string;
  log: string | null;
  version: number;
}

/** How `sucess` is spelled on the way out: `sucess` (sic) unless the caller opted in to `success`. */
export type Spelling = 'legacy' | 'corrected';

/** The one place a GraphQL task becomes a legacy task. */
export function toLegacyTask(task: GraphqlTask, spelling: Spelling = 'legacy'): LegacyTask {
  return {
    uuid: task.id,
    description: task.description,
    // The word as written; legacy callers never see the phase (GraphQL `status`) here.
    status: wireWord(task.stage, spelling === 'corrected'),
    type: task.type,
    object_uuid: task.objectUuid,
    created: { at: epochSeconds(task.created.at), by: task.created.by },
    last_update: epochSeconds(task.lastUpdate),
    log: task.log,
    version: task.version,
  };
}

/** Legacy timestamps are epoch seconds as strings ("1429207233"). */
export function epochSeconds(iso: string): string {
  return String(Math.floor(Date.parse(iso) / 1000));
}

/** The documented four as they go out on the wire, in state-machine order. */
export const wireStatusNames: readonly string[] = Object.values(TaskStatus).map((phase) => documentedWordOf(phase));

/** ETag of a task: its version, quoted. */
export function etagOf(version: number): string {
  return `"${version}"`;
}

/** The write routes, each answering `{"<verb>": "success"}` or `{"<verb>": "error", ...}`. */
export type Verb = 'create' | 'update' | 'delete';

/**
 * Error bodies. Reads answer `{"error": reason}`; writes answer the verb form the original used,
 * `{"update": "error", "reason": ...}`, with `error` too so callers checking either key see it.
 */
export function errorBody(verb: Verb | undefined, reason: string, details: Record<string, string> = {}): Record<string, string> {
  return verb ? { [verb]: 'error', reason, error: reason, ...details } : { error: reason, ...details };
}

const graphqlWords: [RegExp, string][] = [
  ...Object.values(TaskStatus).map((s): [RegExp, string] => [new RegExp(`\\b${s}\\b`, 'g'), documentedWordOf(s)]),
  [/^objectUuid:/, 'object_uuid:'],
  // Legacy callers write the word as `status`; GraphQL calls it `stage`.
  [/^stage:/, 'status:'],
];

/** A GraphQL error message in the words of the legacy API: `sucess`, not SUCCESS; object_uuid; status for stage. */
export function inLegacyWords(message: string): string {
  return graphqlWords.reduce((text, [pattern, word]) => text.replace(pattern, word), message);
}
