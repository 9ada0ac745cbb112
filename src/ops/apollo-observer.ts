import type { ApolloServerPlugin } from '@apollo/server';
import { recordOfContext } from './request-log';

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
        async didResolveOperation({ operationName, operation }) {
          record.operation = operationName ?? operation?.name?.value ?? undefined;
        },
        async didEncounterErrors({ errors, operationName }) {
          if (operationName && !record.operation) record.operation = operationName;
          record.errorCodes = errors.map((e) => {
            const code = e.extensions?.code;
            return typeof code === 'string' ? code : 'INTERNAL_SERVER_ERROR';
          });
        },
      };
    },
  };
}
