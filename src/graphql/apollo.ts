import { ApolloServer, type ApolloServerPlugin, type DocumentStore } from '@apollo/server';
import { ApolloServerPluginCacheControlDisabled, ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import type { GraphQLSchema, ParseOptions, ValidationRule } from 'graphql';
import type { Context } from '../context';
import type { Logger } from '../ops/logger';
import type { FormatError } from './format-errors';

export interface ApolloOptions {
  production: boolean;
  /** The one document cache (documents.ts `apolloDocumentStore()`). */
  documentStore: DocumentStore;
  logger: Logger;
  /** Error masking (mask-errors.ts), shared with the direct path. */
  formatError: FormatError;
  validationRules: ValidationRule[];
  /** Token limit (limits.ts). */
  parseOptions?: ParseOptions;
  plugins?: ApolloServerPlugin<Context>[];
}

/** Apollo Server 5 executes GraphQL over HTTP; taskgate feeds it requests from its own node:http server. */
export function createApollo(schema: GraphQLSchema, options: ApolloOptions): ApolloServer<Context> {
  return new ApolloServer<Context>({
    schema,
    // Introspection is refused (when TASKGATE_INTROSPECTION says so) by a validation rule of
    // ours on every door, with a message naming the setting; Apollo's own would name its option.
    introspection: true,
    documentStore: options.documentStore,
    hideSchemaDetailsFromClientErrors: options.production,
    includeStacktraceInErrorResponses: false,
    allowBatchedHttpRequests: false,
    // taskgate's own SIGTERM/SIGINT handling drains and exits 0; Apollo's would re-raise the signal.
    stopOnTerminationSignals: false,
    // On by default in Apollo 5; spelled out because it must stay on.
    csrfPrevention: true,
    validationRules: options.validationRules,
    parseOptions: options.parseOptions,
    formatError: options.formatError,
    logger: apolloLogger(options.logger),
    // No cache hints are used: without the cache-control plugin Apollo also skips wrapping
    // every resolver for per-field hooks (measured on the read path, bench/profile.js).
    plugins: [
      ApolloServerPluginCacheControlDisabled(),
      ...(options.plugins ?? []),
      ...(options.production ? [ApolloServerPluginLandingPageDisabled()] : []),
    ],
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
