import type { Authenticator } from '../auth/authenticate';
import type { Caller } from '../context';

/**
 * Who is behind a WebSocket connection: graphql-ws `connectionParams` ({authorization, date})
 * checked by the shared authenticator against the upgrade request's Host header, as a signed
 * `GET /graphql`. Throws AuthError when refused; the caller closes the socket with 4403.
 */
export function authenticateConnection(
  authenticator: Authenticator,
  connectionParams: Readonly<Record<string, unknown>> | undefined,
  host: string | undefined,
): Promise<Caller> {
  return authenticator.authenticateConnection(connectionParams, host);
}
