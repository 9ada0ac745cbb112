import type { ApolloServerPlugin } from '@apollo/server';
import type { Context } from '../context';
import { type Admission, type OperationRequest, withHttpStatus } from './admission';
import type { DocumentCache } from './documents';
import type { MaybePromise } from '../lib/maybe-promise';

/**
 * Apollo's side of admission.ts, once Apollo has resolved the operation (of a document it read
 * from, or put into, the one document cache): the same check as every door. Apollo then runs
 * the operation with the variables admission coerced. Variables graphql-js refuses are left to
 * Apollo's execution, which refuses the same input with the same errors before running anything.
 */
export function admissionPlugin(documents: DocumentCache, admit: (request: OperationRequest) => MaybePromise<Admission>): ApolloServerPlugin<Context> {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ document, request, contextValue }) {
          const operation = documents.of(document).operation(request.operationName);
          // No such operation: Apollo answers OPERATION_RESOLUTION_FAILURE without running anything.
          if (!operation) return;
          const admission = await admit({ door: 'http', operation, variables: request.variables, caller: contextValue.caller, context: contextValue });
          if (admission.admitted) {
            request.variables = admission.variables;
            return;
          }
          if (admission.stage === 'variables') return;
          throw withHttpStatus(admission.errors[0], admission.status);
        },
      };
    },
  };
}
