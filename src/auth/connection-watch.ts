import type { Caller } from '../context';
import type { Authenticator } from './authenticate';

/** Close code for a socket refused or dropped by authentication (graphql-ws's Forbidden). */
export const forbiddenCloseCode = 4403;

/**
 * For the WebSocket door: calls `close` once the key that authenticated `caller` is revoked
 * (noticed within TASKGATE_KEYS_REFRESH seconds, even when revoked by another process).
 * Returns the function that stops watching (call it when the socket closes).
 *
 *   onConnect: caller = await app.authenticator.authenticateConnection(ctx.connectionParams, req.headers.host)
 *              stop = closeWhenRevoked(app.authenticator, caller, () => socket.close(forbiddenCloseCode, 'Forbidden'))
 *   onClose:   stop()
 */
export function closeWhenRevoked(authenticator: Authenticator, caller: Caller, close: () => void): () => void {
  let closed = false;
  const unsubscribe = authenticator.onRevoked(() => {
    if (closed || authenticator.isStillValid(caller)) return;
    closed = true;
    unsubscribe();
    close();
  });
  return () => {
    closed = true;
    unsubscribe();
  };
}
