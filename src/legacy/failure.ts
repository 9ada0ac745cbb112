/** The reason code of a refusal that has no more specific one, by HTTP status. */
const codeOfStatus: Readonly<Record<number, string>> = {
  400: 'BAD_REQUEST',
  404: 'NOT_FOUND',
  405: 'METHOD_NOT_ALLOWED',
  406: 'NOT_ACCEPTABLE',
  412: 'PRECONDITION_FAILED',
  413: 'BODY_TOO_LARGE',
  500: 'INTERNAL_SERVER_ERROR',
  503: 'SERVICE_UNAVAILABLE',
};

/**
 * A refusal on a legacy route: the HTTP status and the reason the client reads in the body.
 * Thrown by the request checks and by the executor (from a GraphQL error's extensions.code).
 * `code` is the short reason an operator reads in the request log and the error metric
 * (INVALID_TRANSITION, SignatureDoesNotMatch, BODY_TOO_LARGE, ...).
 */
export class LegacyFailure extends Error {
  readonly code: string;

  constructor(
    readonly status: number,
    readonly reason: string,
    readonly headers: Record<string, string> = {},
    code?: string,
    /** More for the body beside the reason (an authentication refusal's `message`, `stringToSign`, `serverTime`). */
    readonly details: Record<string, string> = {},
  ) {
    super(reason);
    this.name = 'LegacyFailure';
    this.code = code ?? codeOfStatus[status] ?? `HTTP_${status}`;
  }
}

export const badRequest = (reason: string) => new LegacyFailure(400, reason);

/** The reason legacy callers know for a missing task (the original server's words). */
export const documentNotFound = 'document not found';
