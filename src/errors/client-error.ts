import type { TaskStatus } from '../tasks/task-status';
import type { ErrorCode } from './catalogue';

/**
 * The words an error message is written in. GraphQL callers read phases (IN_PROGRESS) and GraphQL
 * field names (objectUuid, stage); legacy REST callers read the phases' documented words
 * (`in progress`, `sucess`) and their own field names (object_uuid, status).
 */
export interface Vocabulary {
  phase(phase: TaskStatus): string;
  field(name: string): string;
}

export type Say = (words: Vocabulary) => string;

/**
 * An error that is ours to tell the client: a code from the catalogue (errors/catalogue.ts), a
 * message built from structured parts so each door can say it in its callers' words, and
 * details for `extensions`. Not a GraphQLError: graphql-js wraps it as `originalError` (taking
 * `extensions` from it), and the doors map it through the catalogue (masking, legacy reasons).
 */
export class ClientError extends Error {
  readonly extensions: Readonly<Record<string, unknown>>;

  constructor(
    readonly code: ErrorCode,
    private readonly say: Say | string,
    details: Record<string, unknown> = {},
  ) {
    super(typeof say === 'string' ? say : say(graphqlWords));
    this.name = 'ClientError';
    this.extensions = { code, ...details };
  }

  /** The message in the words of the given callers. */
  messageIn(words: Vocabulary): string {
    return typeof this.say === 'string' ? this.say : this.say(words);
  }
}

export const graphqlWords: Vocabulary = {
  phase: (phase) => phase,
  field: (name) => name,
};
