import type { ApolloServerPlugin } from '@apollo/server';
import type { GraphQLError } from 'graphql';
import { type RequestRecord, recordOfContext } from './request-log';

/**
 * Tells the request record which GraphQL operation ran and which error codes it returned,
 * for the request log line and the metrics. Costs a WeakMap lookup per request.
 */
export function observeOperations<C extends object>(): ApolloServerPlugin<C> {
  return {
    async requestDidStart({ contextValue }) {
      const record = recordOfContext(contextValue);
      if (!record) return;
      return {
        async didResolveOperation({ operationName }) {
          noteOperation(record, operationName);
        },
        async didEncounterErrors({ errors, operationName }) {
          if (operationName && !record.operation) record.operation = operationName;
          noteErrors(record, errors);
        },
      };
    },
  };
}

/** The operation's name as the log line and metrics show it (the direct path calls this too). */
export function noteOperation(record: RequestRecord, operationName: string | null | undefined): void {
  record.operation = operationName ?? undefined;
}

/** The codes of the errors a request answered with, before masking (the direct path calls this too). */
export function noteErrors(record: RequestRecord, errors: readonly GraphQLError[]): void {
  record.errorCodes = errors.map((e) => {
    const code = e.extensions?.code;
    return typeof code === 'string' ? code : 'INTERNAL_SERVER_ERROR';
  });
}
