import type { ErrorCode } from '../errors/catalogue';
import type { IncomingHttpHeaders } from 'node:http';
import type { Caller } from '../context';
import type { MaybePromise } from '../lib/maybe-promise';

/**
 * What an authenticator sees of an HTTP request before its body is read: the signature and the
 * date come from the headers (or, on the routes that allow it, from a presigned URL).
 */
export interface RequestHead {
  method: string;
  /** Path as sent on the wire, without the query string. */
  path: string;
  /** The query string as sent: '' or starting with '?'. */
  search: string;
  headers: IncomingHttpHeaders;
  /** This route accepts a presigned URL (GET /tasks/events); every other route refuses one. */
  presignable?: boolean;
}

/**
 * Refusal of a request: the HTTP status, a reason code a client can branch on
 * (`RequestTimeTooSkewed`, `SignatureDoesNotMatch`, ...), a one-sentence message saying what to
 * fix, and details that help fix it (the server time, the expected string to sign; never a
 * secret). Doors answer it as JSON: see `authErrorBody`.
 */
export class AuthError extends Error {
  constructor(
    readonly status: 400 | 401 | 403 | 503,
    readonly reason: string,
    message: string,
    readonly details: Record<string, string> = {},
  ) {
    super(message);
    this.name = 'AuthError';
  }
}

/** The GraphQL error code of an AuthError's status. */
export function authErrorCode(error: AuthError): ErrorCode {
  return error.status === 403 ? 'FORBIDDEN' : error.status === 400 ? 'BAD_REQUEST' : error.status === 503 ? 'SERVICE_UNAVAILABLE' : 'UNAUTHENTICATED';
}

/** The JSON body every HTTP door answers an AuthError with: `error`, `message`, details, and GraphQL's error shape. */
export function authErrorBody(error: AuthError) {
  return {
    error: error.reason,
    message: error.message,
    ...error.details,
    errors: [{ message: error.message, extensions: { code: authErrorCode(error), reason: error.reason, ...error.details } }],
  };
}

/**
 * Decides who is calling, or throws AuthError. Every door calls the same one, in this order:
 *
 * 1. `authenticate(head)` from the headers alone, before any byte of the body is read, so an
 *    unsigned or badly signed upload is refused without being received.
 * 2. `acceptBody(caller, body)` once the body is read: it must match the signed Content-MD5; a
 *    body no Content-MD5 covers (TASKGATE_REQUIRE_BODY_MD5=off) claims the signature at once, so
 *    a captured signature carries at most the one body it was first sent with.
 * 3. `claimWrite(caller)` when the request is a write that is about to run: a REST POST/PUT
 *    whose input checked out, a GraphQL mutation once admitted. A signature is served once.
 *
 * The WebSocket door calls `authenticateConnection(connectionParams, host, url)` from
 * graphql-ws onConnect (the handshake signs the verb GRAPHQL-WS, or the upgrade URL is
 * presigned); refuse with close code 4403 and the reason. Long-lived streams (sockets, SSE) use
 * `isStillValid(caller)` with `onRevoked`: a key revoked elsewhere is noticed within
 * TASKGATE_KEYS_REFRESH seconds.
 */
export interface Authenticator {
  /** A value when nothing had to wait (a known key), else a promise; a refusal always rejects. */
  authenticate(head: RequestHead): MaybePromise<Caller>;
  acceptBody(caller: Caller, body: Buffer): MaybePromise<void>;
  authenticateConnection(params: unknown, host: string | undefined, url?: string): Promise<Caller>;
  /**
   * Claims the signature of a write about to run: refuses (401 RequestReplayed) a second use,
   * and a caller with no proof when requests are signed (fail closed). A read key's write is
   * not recorded: the role check refuses it before anything is written.
   */
  claimWrite(caller: Caller): Promise<void>;
  /** False once the key that authenticated `caller` is revoked. */
  isStillValid(caller: Caller): boolean;
  /** Calls `listener` with the id and user of each key revoked; returns an unsubscribe function. */
  onRevoked(listener: (keyId: string, user: string) => void): () => void;
  /**
   * Loads keys (first start: creates one) and starts watching for revocations. `publicUrl`: where
   * callers outside reach this instance, known once it listens (the first-start key's example).
   */
  start(publicUrl: string): Promise<void>;
  stop(): Promise<void>;
}

const readMethods = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * No authentication (TASKGATE_AUTH=off): every request acts as the default user with write
 * rights. With no signature to forge, a web page on another site could still make a browser
 * send simple writes (a text/plain POST needs no preflight): writes that a browser marks as
 * cross-site, or that come from an Origin other than this server's own and the allowed CORS
 * origins, are refused (403 CrossSiteRequest). Non-browser callers send neither header.
 */
export function openAuthenticator(defaultUser: string, corsOrigins: readonly string[] = []): Authenticator {
  const caller: Caller = { id: defaultUser, role: 'write' };
  return {
    async authenticate(head) {
      if (!readMethods.has(head.method.toUpperCase()) && isCrossSite(head.headers, corsOrigins)) {
        throw new AuthError(
          403,
          'CrossSiteRequest',
          'authentication is off, so writes from other web sites are refused; call from this server\'s own pages or add the origin to TASKGATE_CORS_ORIGINS',
        );
      }
      return caller;
    },
    acceptBody: async () => undefined,
    authenticateConnection: async () => caller,
    claimWrite: async () => undefined,
    isStillValid: () => true,
    onRevoked: () => () => undefined,
    start: async () => undefined,
    stop: async () => undefined,
  };
}

function isCrossSite(headers: IncomingHttpHeaders, corsOrigins: readonly string[]): boolean {
  const origin = headers.origin;
  if (typeof origin === 'string' && (corsOrigins.includes('*') || corsOrigins.includes(origin))) return false;
  const site = headers['sec-fetch-site'];
  if (site === 'cross-site' || site === 'same-site') return true;
  if (typeof origin !== 'string' || origin === '') return false;
  try {
    return new URL(origin).host !== headers.host;
  } catch {
    return true; // "null" (sandboxed frames, file: pages) and junk
  }
}
