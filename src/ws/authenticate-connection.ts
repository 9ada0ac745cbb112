import type { Authenticator } from '../auth/authenticate';
import type { Caller } from '../context';

/**
 * Who is behind a WebSocket connection: graphql-ws `connectionParams` ({authorization, date})
 * signing the verb GRAPHQL-WS, the upgrade request's Host and `/graphql`, or else a presigned
 * upgrade URL. Throws AuthError when refused; the caller closes the socket with 4403 and the reason.
 */
export function authenticateConnection(
  authenticator: Authenticator,
  connectionParams: Readonly<Record<string, unknown>> | undefined,
  host: string | undefined,
  url: string | undefined,
): Promise<Caller> {
  return authenticator.authenticateConnection(connectionParams, host, url);
}
