import type { ApolloServerPlugin } from '@apollo/server';
import { GraphQLError } from 'graphql';
import { AuthError, type Authenticator } from '../auth/authenticate';
import type { Context } from '../context';
import { checkCost, type Limits } from './limits';

/**
 * Apollo's part of the limits and of replay protection, once the operation is known:
 * the cost limit (it needs the variables) and, for mutations, the claim on the request's
 * signature so the same signed write cannot be served twice.
 */
export function limitsPlugin(limits: Limits, authenticator: Authenticator): ApolloServerPlugin<Context> {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ schema, document, request, operation, contextValue }) {
          if (operation?.operation === 'subscription') {
            throw new GraphQLError('subscriptions are served over WebSocket (graphql-ws) at /graphql, not over HTTP', {
              extensions: { code: 'BAD_REQUEST', http: { status: 400 } },
            });
          }
          const tooCostly = checkCost(schema, document, request.variables, request.operationName, limits);
          if (tooCostly) {
            throw new GraphQLError(tooCostly.message, { extensions: { ...tooCostly.extensions, http: { status: 400 } } });
          }
          if (operation?.operation !== 'mutation') return;
          try {
            await authenticator.claimWrite(contextValue.caller);
          } catch (error) {
            if (!(error instanceof AuthError)) throw error;
            const code = error.status === 503 ? 'SERVICE_UNAVAILABLE' : 'UNAUTHENTICATED';
            throw new GraphQLError(error.message, { extensions: { code, reason: error.reason, http: { status: error.status } } });
          }
        },
      };
    },
  };
}
