import type { GraphQLFormattedError } from 'graphql';
import { unwrapResolverError } from '@apollo/server/errors';
import { GraphQLError } from 'graphql';
import type { Logger } from '../ops/logger';

/** Codes whose messages are written for clients: ours, and the ones GraphQL and Apollo produce. */
const clientCodes = new Set([
  'TASK_NOT_FOUND',
  'TASK_ALREADY_EXISTS',
  'BAD_USER_INPUT',
  'INVALID_TRANSITION',
  'VERSION_CONFLICT',
  'SERVICE_UNAVAILABLE',
  'FORBIDDEN',
  'UNAUTHENTICATED',
  'GRAPHQL_PARSE_FAILED',
  'GRAPHQL_VALIDATION_FAILED',
  'BAD_REQUEST',
  'OPERATION_RESOLUTION_FAILURE',
  'PERSISTED_QUERY_NOT_FOUND',
  'PERSISTED_QUERY_NOT_SUPPORTED',
  'QUERY_TOO_COMPLEX',
  'RESPONSE_TOO_LARGE',
  'RATE_LIMITED',
]);

/**
 * Errors that are ours reach the client as they are; any other error (a bug, a driver
 * failure) is logged in full and the client sees only "Internal server error".
 */
export function maskErrors(logger: Logger) {
  return (formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError => {
    const code = formatted.extensions?.code;
    const original = unwrapResolverError(error);
    if (typeof code === 'string' && clientCodes.has(code) && (original instanceof GraphQLError || code !== 'INTERNAL_SERVER_ERROR')) {
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
