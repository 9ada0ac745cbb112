/**
 * Message types only a server sends. graphql-ws accepts them as well-formed from a client,
 * then throws on them and closes the socket with 4500 Internal server error (and an error
 * log); a client sending one has broken the protocol, so it gets 4400 Bad request instead.
 */
const serverOnlyTypes = new Set(['connection_ack', 'next', 'error']);

/**
 * JSON reviver for incoming graphql-ws messages (`jsonMessageReviver`): throwing here makes
 * graphql-ws refuse the message as invalid (4400). Only the top-level value (key "") is checked.
 */
export function refuseServerMessages(key: string, value: unknown): unknown {
  if (key === '' && typeof value === 'object' && value !== null && serverOnlyTypes.has((value as { type?: unknown }).type as string)) {
    throw new Error(`a client may not send ${(value as { type: string }).type} messages`);
  }
  return value;
}
