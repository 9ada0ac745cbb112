import { errorCatalogue, restDefaultCodeOf } from '../errors/catalogue';

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
    this.code = code ?? restDefaultCodeOf(status);
  }
}

export const badRequest = (reason: string) => new LegacyFailure(400, reason);

/** The reason legacy callers know for a missing task (the original server's words). */
export const documentNotFound = errorCatalogue.TASK_NOT_FOUND.legacyReason;
