import { type Exchange, subscriptionExchange } from '@urql/core';
import type { Client } from 'graphql-ws';

/**
 * urql's subscriptionExchange over a taskgate graphql-ws client (createTaskgateClient), so
 * subscriptions are signed at every (re)connect and resume exactly. Queries and mutations go
 * through urql's fetchExchange with `fetch: signedFetch(credentials)`.
 */
export function taskgateSubscriptionExchange(client: Client): Exchange {
  return subscriptionExchange({
    forwardSubscription(request) {
      const payload = { ...request, query: request.query ?? '' };
      return { subscribe: (sink) => ({ unsubscribe: client.subscribe(payload, sink) }) };
    },
  });
}
