import type { ApolloServerPlugin } from '@apollo/server';
import type { Authenticator } from '../auth/authenticate';
import type { Context } from '../context';
import type { FairShare } from '../fairness/fair-share';
import { admitOperation } from './admission';
import type { Limits } from './limits';

/** Apollo's side of admission.ts: the same checks, once Apollo has resolved the operation. */
export function limitsPlugin(limits: Limits, authenticator: Authenticator, fairShare?: FairShare): ApolloServerPlugin<Context> {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ schema, document, request, operation, contextValue }) {
          await admitOperation(
            { schema, document, operation, operationName: request.operationName, variables: request.variables, caller: contextValue.caller, context: contextValue },
            limits,
            authenticator,
            fairShare,
          );
        },
      };
    },
  };
}
