import type { GraphQLFormattedError } from 'graphql';
import { unwrapResolverError } from '@apollo/server/errors';
import { GraphQLError } from 'graphql';
import { catalogueEntry } from '../errors/catalogue';
import { ClientError } from '../errors/client-error';
import type { Logger } from '../ops/logger';

/**
 * Errors that are ours reach the client as they are: a code the error catalogue says clients see
 * (errors/catalogue.ts), raised as a ClientError or a GraphQLError (ours, graphql-js's, Apollo's).
 * Any other error (a bug, a driver failure) is logged in full and the client sees only
 * "Internal server error".
 */
export function maskErrors(logger: Logger) {
  return (formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError => {
    const code = formatted.extensions?.code;
    const original = unwrapResolverError(error);
    const entry = catalogueEntry(code);
    if (entry?.clientSees && entry.graphql !== false && (original instanceof ClientError || original instanceof GraphQLError)) {
      const { stacktrace: _dropped, ...extensions } = formatted.extensions ?? {};
      return { ...formatted, extensions };
    }
    // Apollo refuses some requests with a GraphQLError that has an HTTP 4xx status but no code
    // (e.g. "provided sha does not match query" for an automatic persisted query): the
    // client's mistake, so it is answered as BAD_REQUEST with Apollo's message, not masked.
    const http = original instanceof GraphQLError ? (original.extensions?.http as { status?: unknown } | undefined) : undefined;
    if (original instanceof GraphQLError && original.extensions?.code === undefined
      && typeof http?.status === 'number' && http.status >= 400 && http.status < 500) {
      return { message: original.message, path: formatted.path, locations: formatted.locations, extensions: { code: 'BAD_REQUEST' } };
    }
    logger.error({ err: original, path: formatted.path }, 'unexpected error in a GraphQL operation');
    return { message: 'Internal server error', path: formatted.path, locations: formatted.locations, extensions: { code: 'INTERNAL_SERVER_ERROR' } };
  };
}
