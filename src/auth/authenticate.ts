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

/** Refusal of a request: the HTTP status and a JSON body naming the reason. */
export class AuthError extends Error {
  constructor(
    readonly status: 401 | 403,
    readonly reason: string,
    message: string,
  ) {
    super(message);
    this.name = 'AuthError';
  }
}

/** Decides who is calling, or throws AuthError. Every door calls the same one. */
export interface Authenticator {
  authenticate(request: RequestToAuthenticate): Promise<Caller>;
}

/** No authentication: every request acts as the configured default user with write rights. */
export function openAuthenticator(defaultUser: string): Authenticator {
  const caller: Caller = { id: defaultUser, role: 'write' };
  return { authenticate: async () => caller };
}
