/**
 * taskgate/client: sign requests for taskgate from Node or a browser, presign URLs, and follow its
 * live feeds exactly. The graphql-ws, Apollo Client and urql pieces are separate entry points
 * (taskgate/client/graphql-ws, /apollo, /urql) so that only what a caller uses needs its peer.
 */
export * from './signing';
export * from './resume';
export * from './event-stream';
