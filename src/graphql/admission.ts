import { getVariableValues, GraphQLError, type GraphQLSchema } from 'graphql';
import { AuthError } from '../auth/authenticate';
import type { Caller } from '../context';
import type { Logger } from '../ops/logger';
import { type CostRule, defaultCostRule, operationCost } from './cost';
import type { PreparedOperation } from './documents';

/** Where an operation came in. */
export type Door = 'http' | 'websocket' | 'legacy';

/** What each door serves, and whether a write must claim its request's signature here. */
const doors: Readonly<Record<Door, { kinds: readonly string[]; refusal: string; claimsWrites: boolean }>> = {
  http: {
    kinds: ['query', 'mutation'],
    refusal: 'subscriptions are served over WebSocket (graphql-ws) at /graphql, not over HTTP',
    claimsWrites: true,
  },
  // A socket is authenticated once, so a write over it would escape the per-request signature
  // and replay guard: writes go over HTTP, each signed on its own.
  websocket: {
    kinds: ['query', 'subscription'],
    refusal: 'mutations are not served over WebSocket; send each write as its own signed POST /graphql',
    claimsWrites: false,
  },
  // The REST door claims a write's signature when it authenticates it (every non-GET is a write there).
  legacy: { kinds: ['query', 'mutation'], refusal: 'the legacy routes run queries and mutations only', claimsWrites: false },
};

export interface OperationRequest {
  door: Door;
  operation: PreparedOperation;
  /** Variables as the client sent them. */
  variables: Record<string, unknown> | null | undefined;
  caller: Caller;
}

export type Admission =
  /** `variables`: the coerced values; the operation must run with these. */
  | { admitted: true; variables: Record<string, unknown>; cost: number }
  /**
   * `stage` "variables": graphql-js refused the variables (BAD_USER_INPUT); execution would
   * refuse the same input with the same errors, so a door may leave the answer to its executor.
   * "refused": a limit or rule of ours. `status` is the HTTP status to answer with.
   */
  | { admitted: false; stage: 'variables' | 'refused'; status: number; errors: readonly GraphQLError[] };

export interface AdmissionRules {
  schema: GraphQLSchema;
  /** TASKGATE_MAX_COST. */
  maxCost: number;
  costRule?: CostRule;
  /** Claims the signature of a write (replay guard); throws AuthError when it was used already. */
  claimWrite(caller: Caller): Promise<void>;
  logger: Logger;
}

/**
 * The one admission check every door calls once it knows the operation and before it runs:
 * the operation kind this door serves, the variables coerced (once: the result is what runs),
 * the cost limit priced from those values, and for writes over HTTP the claim on the request's
 * signature. It fails closed: anything that cannot be priced is refused.
 */
export function createAdmission(rules: AdmissionRules): (request: OperationRequest) => Promise<Admission> {
  const costRule = rules.costRule ?? defaultCostRule;
  const refuse = (status: number, message: string, extensions: Record<string, unknown>): Admission => ({
    admitted: false,
    stage: 'refused',
    status,
    errors: [new GraphQLError(message, { extensions })],
  });

  return async ({ door, operation, variables: sent, caller }) => {
    const rule = doors[door];
    if (!rule.kinds.includes(operation.kind)) return refuse(400, rule.refusal, { code: 'BAD_REQUEST' });

    const coerced = getVariableValues(rules.schema, operation.operation.variableDefinitions ?? [], sent ?? {}, { maxErrors: 50 });
    if (coerced.errors) {
      const errors = coerced.errors.map((e) => new GraphQLError(e.message, { nodes: e.nodes, originalError: e, extensions: { ...e.extensions, code: 'BAD_USER_INPUT' } }));
      return { admitted: false, stage: 'variables', status: 400, errors };
    }
    const variables = coerced.coerced;

    const key = operation.priceKey(variables);
    let cost = operation.price(key);
    if (cost === undefined) {
      try {
        cost = operationCost(rules.schema, operation.document, operation.operation, variables, costRule);
      } catch (error) {
        // An argument execution would refuse (null into a non-null argument through a variable
        // with a default, say): refused now, with execution's words, instead of priced without it.
        if (error instanceof GraphQLError) return refuse(400, error.message, { code: 'BAD_USER_INPUT' });
        rules.logger.warn({ err: error, operation: operation.name }, 'the cost of an operation could not be worked out; refused');
        return refuse(400, 'the cost of this operation could not be worked out', { code: 'QUERY_TOO_COMPLEX', limit: 'cost', max: rules.maxCost });
      }
      operation.rememberPrice(key, cost);
    }
    if (cost > rules.maxCost) {
      return refuse(400, `the query costs ${cost}, more than the limit of ${rules.maxCost}; ask for fewer objects (smaller first, fewer fields with lists or totalCount)`, {
        code: 'QUERY_TOO_COMPLEX',
        limit: 'cost',
        max: rules.maxCost,
        cost,
      });
    }

    if (operation.kind === 'mutation' && rule.claimsWrites) {
      try {
        await rules.claimWrite(caller);
      } catch (error) {
        if (!(error instanceof AuthError)) throw error;
        const code = error.status === 503 ? 'SERVICE_UNAVAILABLE' : 'UNAUTHENTICATED';
        return refuse(error.status, error.message, { code, reason: error.reason });
      }
    }
    return { admitted: true, variables, cost };
  };
}

/** A refusal's errors with the HTTP status Apollo and the direct path answer with (`extensions.http`). */
export function withHttpStatus(error: GraphQLError, status: number): GraphQLError {
  return new GraphQLError(error.message, {
    nodes: error.nodes,
    originalError: error.originalError ?? undefined,
    extensions: { ...error.extensions, http: { status } },
  });
}
