import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginCacheControlDisabled, ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import type { GraphQLSchema, ValidationRule } from 'graphql';
import type { Context } from '../context';
import type { Logger } from '../ops/logger';
import { maskErrors } from './mask-errors';

export interface ApolloOptions {
  production: boolean;
  introspection: boolean;
  logger: Logger;
  validationRules: ValidationRule[];
}

/** Apollo Server 5 executes GraphQL over HTTP; taskgate feeds it requests from its own node:http server. */
export function createApollo(schema: GraphQLSchema, options: ApolloOptions): ApolloServer<Context> {
  return new ApolloServer<Context>({
    schema,
    introspection: options.introspection,
    hideSchemaDetailsFromClientErrors: options.production,
    includeStacktraceInErrorResponses: false,
    allowBatchedHttpRequests: false,
    validationRules: options.validationRules,
    formatError: maskErrors(options.logger),
    logger: apolloLogger(options.logger),
    // No cache hints are used: without the cache-control plugin Apollo also skips wrapping
    // every resolver for per-field hooks (measured on the read path, bench/profile.js).
    plugins: [ApolloServerPluginCacheControlDisabled(), ...(options.production ? [ApolloServerPluginLandingPageDisabled()] : [])],
    // main.ts owns shutdown (stop accepting, drain, close the database). Apollo's own SIGTERM
    // handler raced it and left a MariaDB-backed process running after app.stop().
    stopOnTerminationSignals: false,
  });
}

function apolloLogger(logger: Logger) {
  return {
    debug: (message: string) => logger.debug(message),
    info: (message: string) => logger.info(message),
    warn: (message: string) => logger.warn(message),
    error: (message: string) => logger.error(message),
  };
}
