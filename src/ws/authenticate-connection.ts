import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';
import type { Authenticator } from '../auth/authenticate';
import type { Caller } from '../context';

/**
 * Who is behind a WebSocket connection. The one place where graphql-ws `connectionParams`
 * become a request for the shared authenticator: string-valued params are offered as headers
 * (lowercased names, the way node:http presents them) next to the upgrade request's own.
 * Throws AuthError when refused; the caller closes the socket with 4403.
 */
export async function authenticateConnection(
  authenticator: Authenticator,
  connectionParams: Readonly<Record<string, unknown>> | undefined,
  request: IncomingMessage,
): Promise<Caller> {
  const headers: IncomingHttpHeaders = { ...request.headers };
  for (const [name, value] of Object.entries(connectionParams ?? {})) {
    if (typeof value === 'string') headers[name.toLowerCase()] = value;
  }
  return authenticator.authenticate({ method: 'GET', path: '/graphql', headers, body: Buffer.alloc(0) });
}
