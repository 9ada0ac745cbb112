import { type DocumentNode, GraphQLError, type GraphQLSchema, type OperationDefinitionNode } from 'graphql';
import { AuthError, type Authenticator } from '../auth/authenticate';
import type { Caller } from '../context';
import { connectionsOf, RateLimited, type FairShare } from '../fairness/fair-share';
import { rateLimitedGraphqlError } from '../fairness/refusals';
import { recordOfContext } from '../ops/request-log';
import { checkCost, costOf, type Limits } from './limits';

export interface OperationToAdmit {
  schema: GraphQLSchema;
  document: DocumentNode;
  operation: OperationDefinitionNode | undefined | null;
  operationName: string | undefined | null;
  variables: Record<string, unknown> | undefined;
  caller: Caller;
  /** The request's GraphQL context: a costly operation's fair-share slot is held with it until the answer is sent. */
  context?: object;
}

/**
 * The checks an HTTP GraphQL operation passes once it is known and before it runs, whichever
 * way it is executed (Apollo's pipeline or the direct path): subscriptions are refused over
 * HTTP, the cost limit (it needs the variables), and for mutations the claim on the request's
 * signature so the same signed write cannot be served twice, and the key's fair share of costly
 * work (src/fairness/: 429 RATE_LIMITED with Retry-After). Throws a GraphQLError whose
 * `extensions.http.status` is the HTTP status to answer with.
 */
export async function admitOperation(op: OperationToAdmit, limits: Limits, authenticator: Authenticator, fairShare?: FairShare): Promise<void> {
  if (op.operation?.operation === 'subscription') {
    throw new GraphQLError('subscriptions are served over WebSocket (graphql-ws) at /graphql, not over HTTP', {
      extensions: { code: 'BAD_REQUEST', http: { status: 400 } },
    });
  }
  const tooCostly = checkCost(op.schema, op.document, op.variables, op.operationName, limits);
  if (tooCostly) {
    throw new GraphQLError(tooCostly.message, { extensions: { ...tooCostly.extensions, http: { status: 400 } } });
  }
  if (fairShare) await admitFairly(op, fairShare);
  if (op.operation?.operation !== 'mutation') return;
  try {
    await authenticator.claimWrite(op.caller);
  } catch (error) {
    if (!(error instanceof AuthError)) throw error;
    const code = error.status === 503 ? 'SERVICE_UNAVAILABLE' : 'UNAUTHENTICATED';
    throw new GraphQLError(error.message, { extensions: { code, reason: error.reason, http: { status: error.status } } });
  }
}

/** A costly operation spends the key's budget and holds one of its slots until the request is answered (FairShare.settle). */
async function admitFairly(op: OperationToAdmit, fairShare: FairShare): Promise<void> {
  const cost = costOf(op.schema, op.document, op.variables, op.operationName);
  if (typeof cost !== 'number') return;
  try {
    const release = await fairShare.admitCost(op.caller.id, cost, connectionsOf(op.operation));
    // Held with the HTTP request's record (Apollo hands plugins a copy of the context; the record is shared).
    if (release) fairShare.hold((op.context && recordOfContext(op.context)) ?? op.context ?? op.caller, release);
  } catch (error) {
    throw error instanceof RateLimited ? rateLimitedGraphqlError(error) : error;
  }
}
