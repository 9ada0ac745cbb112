/**
 * The one error catalogue: every `extensions.code` a client can receive, and what each door does
 * with it. Masking (graphql/mask-errors.ts) lets through only codes whose messages clients see;
 * the GraphQL doors answer a refusal before execution with `status`; the legacy REST door answers
 * `status` with `legacyReason` (in the verb form on write routes, `{"<verb>": "error", "reason"}`,
 * else `{"error": reason}`: see legacy/shapes.ts `errorBody`, the same for every code). The README's
 * error table lists the same codes and statuses (test/unit/errors/catalogue.test.ts checks both,
 * and that every code thrown in src/ is here).
 */
export interface CatalogueEntry {
  /**
   * HTTP status: the legacy routes' answer, and the GraphQL doors' answer when the error refuses a
   * request before it runs (an error raised while executing answers 200, as GraphQL over HTTP does).
   */
  readonly status: number;
  /** The message is written for clients (true), or the client reads only "Internal server error". */
  readonly clientSees: boolean;
  /**
   * What the legacy routes send as the reason: a fixed reason legacy callers know (the original
   * server's words), or 'message': the error's message in legacy words (a ClientError says it
   * itself, `messageFor('legacy')`; any other error's message as it is).
   */
  readonly legacyReason: string | 'message';
  /** A GraphQL `extensions.code` (listed in the README's error table); false: only the legacy routes' log and metric use it. */
  readonly graphql?: false;
  /** The code of a legacy refusal with this status that names no more specific one (legacy/failure.ts). */
  readonly restDefault?: true;
}

const message = 'message';

export const errorCatalogue = {
  // The task service's (tasks/task.errors.ts).
  BAD_USER_INPUT: { status: 400, clientSees: true, legacyReason: message },
  TASK_NOT_FOUND: { status: 404, clientSees: true, legacyReason: 'document not found' },
  TASK_ALREADY_EXISTS: { status: 409, clientSees: true, legacyReason: message },
  INVALID_TRANSITION: { status: 409, clientSees: true, legacyReason: message },
  VERSION_CONFLICT: { status: 412, clientSees: true, legacyReason: message },
  SERVICE_UNAVAILABLE: { status: 503, clientSees: true, legacyReason: message, restDefault: true },
  // The gateway's: authentication, authorization, limits, fair share.
  UNAUTHENTICATED: { status: 401, clientSees: true, legacyReason: message },
  FORBIDDEN: { status: 403, clientSees: true, legacyReason: message },
  QUERY_TOO_COMPLEX: { status: 400, clientSees: true, legacyReason: message },
  RESPONSE_TOO_LARGE: { status: 400, clientSees: true, legacyReason: message },
  RATE_LIMITED: { status: 429, clientSees: true, legacyReason: message },
  TOO_MANY_SUBSCRIPTIONS: { status: 400, clientSees: true, legacyReason: message },
  PAYLOAD_TOO_LARGE: { status: 413, clientSees: true, legacyReason: message },
  REQUEST_TIMEOUT: { status: 408, clientSees: true, legacyReason: message },
  BAD_REQUEST: { status: 400, clientSees: true, legacyReason: message, restDefault: true },
  // graphql-js's and Apollo Server's, answered before execution.
  GRAPHQL_PARSE_FAILED: { status: 400, clientSees: true, legacyReason: message },
  GRAPHQL_VALIDATION_FAILED: { status: 400, clientSees: true, legacyReason: message },
  OPERATION_RESOLUTION_FAILURE: { status: 400, clientSees: true, legacyReason: message },
  PERSISTED_QUERY_NOT_FOUND: { status: 200, clientSees: true, legacyReason: message },
  PERSISTED_QUERY_NOT_SUPPORTED: { status: 200, clientSees: true, legacyReason: message },
  // Anything else: masked to clients, logged in full.
  INTERNAL_SERVER_ERROR: { status: 500, clientSees: false, legacyReason: 'internal server error', restDefault: true },
  // The legacy routes' own refusals (the request log's reason and the error metric's code).
  NOT_FOUND: { status: 404, clientSees: true, legacyReason: message, graphql: false, restDefault: true },
  METHOD_NOT_ALLOWED: { status: 405, clientSees: true, legacyReason: message, graphql: false, restDefault: true },
  NOT_ACCEPTABLE: { status: 406, clientSees: true, legacyReason: message, graphql: false, restDefault: true },
  PRECONDITION_FAILED: { status: 412, clientSees: true, legacyReason: message, graphql: false, restDefault: true },
  NO_ROUTE: { status: 404, clientSees: true, legacyReason: message, graphql: false },
  BODY_TOO_LARGE: { status: 413, clientSees: true, legacyReason: message, graphql: false, restDefault: true },
} as const satisfies Record<string, CatalogueEntry>;

export type ErrorCode = keyof typeof errorCatalogue;

/** The entry of a code, or undefined when the code is not ours to answer (then it is masked). */
export function catalogueEntry(code: unknown): CatalogueEntry | undefined {
  return typeof code === 'string' && Object.hasOwn(errorCatalogue, code) ? errorCatalogue[code as ErrorCode] : undefined;
}

/** The code of a legacy refusal by its HTTP status, when the refusal names no more specific one. */
export function restDefaultCodeOf(status: number): string {
  for (const [code, entry] of Object.entries(errorCatalogue) as [ErrorCode, CatalogueEntry][]) {
    if (entry.restDefault && entry.status === status) return code;
  }
  return `HTTP_${status}`;
}

/** The HTTP status of a code the catalogue has. */
export function statusOf(code: ErrorCode): number {
  return errorCatalogue[code].status;
}
