import type { IncomingHttpHeaders } from 'node:http';
import type { Caller } from '../context';

/** What an authenticator sees of a request (HTTP, or a WebSocket's connection parameters). */
export interface RequestToAuthenticate {
  method: string;
  /** Path without the query string. */
  path: string;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

/**
 * Refusal of a request: the HTTP status and a reason a client can act on (`RequestTimeTooSkewed`,
 * `SignatureDoesNotMatch`, ...). Doors answer it as JSON: see `authErrorBody`.
 */
export class AuthError extends Error {
  constructor(
    readonly status: 400 | 401 | 403 | 503,
    readonly reason: string,
    message: string,
  ) {
    super(message);
    this.name = 'AuthError';
  }
}

/** The JSON body every HTTP door answers an AuthError with (GraphQL's error shape, plus `error`). */
export function authErrorBody(error: AuthError) {
  const code = error.status === 403 ? 'FORBIDDEN' : error.status === 400 ? 'BAD_REQUEST' : error.status === 503 ? 'SERVICE_UNAVAILABLE' : 'UNAUTHENTICATED';
  return { error: error.reason, message: error.message, errors: [{ message: error.message, extensions: { code, reason: error.reason } }] };
}

/**
 * Decides who is calling, or throws AuthError. Every door calls the same one.
 *
 * - HTTP doors (GraphQL, legacy REST) call `authenticate` with the raw body before parsing it.
 *   A REST write (any method but GET/HEAD/OPTIONS, on a path other than /graphql) is checked
 *   against replays right there; a GraphQL request is a write only once its operation is known,
 *   so the GraphQL layer calls `claimWrite(caller)` for mutations.
 * - The WebSocket door calls `authenticateConnection(connectionParams, hostHeader)` from
 *   graphql-ws onConnect; refuse with close code 4403 on AuthError. Connection params
 *   `{authorization, date}` sign `GET`, the Host, empty MD5 and type, the date and `/graphql`.
 * - Long-lived sockets: poll `isStillValid(caller)` (cheap, in memory), or listen with
 *   `onRevoked`; a revoked key is noticed within TASKGATE_KEYS_REFRESH seconds even when it was
 *   revoked by another process.
 */
export interface Authenticator {
  authenticate(request: RequestToAuthenticate): Promise<Caller>;
  authenticateConnection(params: unknown, host: string | undefined): Promise<Caller>;
  /** Refuses (AuthError 401 RequestReplayed) a second use of the signature that authenticated `caller`. */
  claimWrite(caller: Caller): Promise<void>;
  /** False once the key that authenticated `caller` is revoked. */
  isStillValid(caller: Caller): boolean;
  /** Calls `listener` with the id and user of each key revoked; returns an unsubscribe function. */
  onRevoked(listener: (keyId: string, user: string) => void): () => void;
  /** Loads keys (first start: creates one) and starts watching for revocations. */
  start(): Promise<void>;
  stop(): Promise<void>;
}

/** No authentication (TASKGATE_AUTH=off): every request acts as the default user with write rights. */
export function openAuthenticator(defaultUser: string): Authenticator {
  const caller: Caller = { id: defaultUser, role: 'write' };
  return {
    authenticate: async () => caller,
    authenticateConnection: async () => caller,
    claimWrite: async () => undefined,
    isStillValid: () => true,
    onRevoked: () => () => undefined,
    start: async () => undefined,
    stop: async () => undefined,
  };
}
