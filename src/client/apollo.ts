import { ApolloLink, HttpLink } from '@apollo/client';
import { GraphQLWsLink } from '@apollo/client/link/subscriptions';
import { getMainDefinition } from '@apollo/client/utilities';
import { createTaskgateClient, type TaskgateClientOptions } from './graphql-ws';
import { type Credentials, signedFetch, type SignerOptions } from './signing';

export interface TaskgateLinkOptions extends SignerOptions {
  /** http(s):// URL of /graphql; the WebSocket URL is the same with ws(s)://. */
  url: string;
  credentials?: Credentials;
  /** More graphql-ws options (e.g. webSocketImpl, on). */
  websocket?: Partial<TaskgateClientOptions>;
}

/** The ws:// (or wss://) twin of an http:// (or https://) URL. */
export function websocketUrl(httpUrl: string): string {
  return httpUrl.replace(/^http/i, 'ws');
}

/**
 * One Apollo Client link for taskgate: queries and mutations over HTTP, each signed; subscriptions
 * over graphql-ws, signed at every (re)connect and resumed exactly after restarts.
 */
export function taskgateLink(options: TaskgateLinkOptions): ApolloLink {
  const { url, credentials, websocket, ...signer } = options;
  const http = new HttpLink({ uri: url, fetch: credentials ? (signedFetch(credentials, signer) as typeof fetch) : undefined });
  const ws = new GraphQLWsLink(createTaskgateClient({ url: websocketUrl(url), credentials, ...signer, ...websocket }));
  return ApolloLink.split(
    ({ query }) => {
      const main = getMainDefinition(query);
      return main.kind === 'OperationDefinition' && main.operation === 'subscription';
    },
    ws,
    http,
  );
}
