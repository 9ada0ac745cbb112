import { ApolloClient, gql, InMemoryCache } from '@apollo/client';
import { Client as UrqlClient, fetchExchange } from '@urql/core';
import { EventSource } from 'eventsource';
import { type Credentials, followEventStream, signedFetch } from '../../../src/client';
import { taskgateLink } from '../../../src/client/apollo';
import { createTaskgateClient } from '../../../src/client/graphql-ws';
import { taskgateSubscriptionExchange } from '../../../src/client/urql';

/** A live-feed subscriber built with one real client library, the way the README tells its users. */
export interface FeedClient {
  /** Ids of the events handed to the application, in the order it got them. */
  received: string[];
  /** Set when the library gave up (it never should, short of a refused key). */
  failure?: unknown;
  close(): Promise<void> | void;
}

const feed = 'subscription Feed($after: ID) { taskUpdated(after: $after) { id version log } }';

export interface FeedTarget {
  graphqlUrl: string;
  wsUrl: string;
  baseUrl: string;
  credentials: Credentials;
  after: string;
}

export const feedClients: Record<string, (target: FeedTarget) => FeedClient> = {
  'graphql-ws': (target) => {
    const client = createTaskgateClient({ url: target.wsUrl, credentials: target.credentials });
    const result: FeedClient = { received: [], close: () => client.dispose() };
    client.subscribe<{ taskUpdated: { id: string } }>(
      { query: feed, variables: { after: target.after } },
      {
        next: (r) => void result.received.push(r.data!.taskUpdated.id),
        error: (e) => (result.failure = e),
        complete: () => undefined,
      },
    );
    return result;
  },

  'Apollo Client': (target) => {
    const client = new ApolloClient({ link: taskgateLink({ url: target.graphqlUrl, credentials: target.credentials }), cache: new InMemoryCache() });
    const result: FeedClient = { received: [], close: () => (subscription.unsubscribe(), client.stop()) };
    const subscription = client.subscribe<{ taskUpdated: { id: string } }>({ query: gql(feed), variables: { after: target.after }, fetchPolicy: 'no-cache' }).subscribe({
      next: (r) => (r.error ? (result.failure = r.error) : void result.received.push(r.data!.taskUpdated.id)),
      error: (e) => (result.failure = e),
    });
    return result;
  },

  urql: (target) => {
    const ws = createTaskgateClient({ url: target.wsUrl, credentials: target.credentials });
    const client = new UrqlClient({ url: target.graphqlUrl, fetch: signedFetch(target.credentials), exchanges: [taskgateSubscriptionExchange(ws), fetchExchange] });
    const result: FeedClient = { received: [], close: () => (subscription.unsubscribe(), ws.dispose()) };
    const subscription = client.subscription<{ taskUpdated: { id: string } }>(feed, { after: target.after }).subscribe((r) => {
      if (r.error) result.failure = r.error;
      else if (r.data) result.received.push(r.data.taskUpdated.id);
    });
    return result;
  },

  'eventsource (SSE)': (target) => {
    const result: FeedClient = {
      received: [],
      close: () => stop(),
    };
    const stop = followEventStream({
      url: `${target.baseUrl}/tasks/events`,
      credentials: target.credentials,
      after: target.after,
      EventSource,
      onEvent: (event) => void result.received.push(event.id),
    });
    return result;
  },
};
