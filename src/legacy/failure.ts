/**
 * A refusal on a legacy route: the HTTP status and the reason the client reads in the body.
 * Thrown by the request checks and by the executor (from a GraphQL error's extensions.code).
 */
export class LegacyFailure extends Error {
  constructor(
    readonly status: number,
    readonly reason: string,
    readonly headers: Record<string, string> = {},
    /** More for the body beside the reason (an authentication refusal's `message`, `stringToSign`, `serverTime`). */
    readonly details: Record<string, string> = {},
  ) {
    super(reason);
    this.name = 'LegacyFailure';
  }
}

export const badRequest = (reason: string) => new LegacyFailure(400, reason);

/** The reason legacy callers know for a missing task (the original server's words). */
export const documentNotFound = 'document not found';
