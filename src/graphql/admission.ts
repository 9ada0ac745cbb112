import { type DocumentNode, GraphQLError, type GraphQLSchema, type OperationDefinitionNode } from 'graphql';
import { AuthError, type Authenticator } from '../auth/authenticate';
import type { Caller } from '../context';
import { checkCost, type Limits } from './limits';

export interface OperationToAdmit {
  schema: GraphQLSchema;
  document: DocumentNode;
  operation: OperationDefinitionNode | undefined | null;
  operationName: string | undefined | null;
  variables: Record<string, unknown> | undefined;
  caller: Caller;
}

/**
 * The checks an HTTP GraphQL operation passes once it is known and before it runs, whichever
 * way it is executed (Apollo's pipeline or the direct path): subscriptions are refused over
 * HTTP, the cost limit (it needs the variables), and for mutations the claim on the request's
 * signature so the same signed write cannot be served twice. Throws a GraphQLError whose
 * `extensions.http.status` is the HTTP status to answer with.
 */
export async function admitOperation(op: OperationToAdmit, limits: Limits, authenticator: Authenticator): Promise<void> {
  if (op.operation?.operation === 'subscription') {
    throw new GraphQLError('subscriptions are served over WebSocket (graphql-ws) at /graphql, not over HTTP', {
      extensions: { code: 'BAD_REQUEST', http: { status: 400 } },
    });
  }
  const tooCostly = checkCost(op.schema, op.document, op.variables, op.operationName, limits);
  if (tooCostly) {
    throw new GraphQLError(tooCostly.message, { extensions: { ...tooCostly.extensions, http: { status: 400 } } });
  }
  if (op.operation?.operation !== 'mutation') return;
  try {
    await authenticator.claimWrite(op.caller);
  } catch (error) {
    if (!(error instanceof AuthError)) throw error;
    const code = error.status === 503 ? 'SERVICE_UNAVAILABLE' : 'UNAUTHENTICATED';
    throw new GraphQLError(error.message, { extensions: { code, reason: error.reason, http: { status: error.status } } });
  }
}
