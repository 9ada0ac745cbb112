import { getVariableValues, GraphQLError, type GraphQLSchema } from 'graphql';
import { type ErrorCode, statusOf } from '../errors/catalogue';
import { AuthError } from '../auth/authenticate';
import type { Caller } from '../context';
import { connectionsOf, type FairShare, RateLimited, type Release } from '../fairness/fair-share';
import { rateLimitedGraphqlError } from '../fairness/refusals';
import type { MaybePromise } from '../lib/maybe-promise';
import type { Logger } from '../ops/logger';
import { recordOfContext } from '../ops/request-log';
import { type CostRule, defaultCostRule, operationCost } from './cost';
import type { PreparedOperation } from './documents';
import { plainCoercion } from './plain-variables';

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
  /** The request's GraphQL context: a costly operation's fair-share slot is held with it until the answer is sent. */
  context?: object;
}

export type Admission =
  /**
   * `variables`: the coerced values; the operation must run with these. `release`: the key's
   * fair-share slot a WebSocket operation holds until it completes (an HTTP request's slot is held
   * with its request record and handed back when it is answered).
   */
  | { admitted: true; variables: Record<string, unknown>; cost: number; release?: Release }
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
  /** Per-key ceilings on costly work and subscriptions (src/fairness/); absent: none. */
  fairShare?: FairShare;
  logger: Logger;
}

/**
 * The one admission check every door calls once it knows the operation and before it runs:
 * the operation kind this door serves, the variables coerced (once: the result is what runs),
 * the cost limit priced from those values, the key's fair share (costly work and subscriptions,
 * src/fairness/), and for writes over HTTP the claim on the request's signature. It fails
 * closed: anything that cannot be priced is refused.
 */
export function createAdmission(rules: AdmissionRules): (request: OperationRequest) => MaybePromise<Admission> {
  const costRule = rules.costRule ?? defaultCostRule;
  // The status of a refusal is its code's, from the error catalogue.
  const refuse = (code: ErrorCode, message: string, extensions: Record<string, unknown> = {}, status = statusOf(code)): Admission => ({
    admitted: false,
    stage: 'refused',
    status,
    errors: [new GraphQLError(message, { extensions: { code, ...extensions } })],
  });

  // Not async: a cheap read is admitted without a promise; what throws here would have rejected,
  // and every caller catches both.
  return ({ door, operation, variables: sent, caller, context }) => {
    const rule = doors[door];
    if (!rule.kinds.includes(operation.kind)) return refuse('BAD_REQUEST', rule.refusal);

    const definitions = operation.operation.variableDefinitions ?? [];
    if (operation.plainVariables === undefined) operation.plainVariables = plainCoercion(rules.schema, definitions) ?? null;
    let variables = operation.plainVariables?.(sent ?? {});
    if (!variables) {
      const coerced = getVariableValues(rules.schema, definitions, sent ?? {}, { maxErrors: 50 });
      if (coerced.errors) {
        const errors = coerced.errors.map((e) => new GraphQLError(e.message, { nodes: e.nodes, originalError: e, extensions: { ...e.extensions, code: 'BAD_USER_INPUT' } }));
        return { admitted: false, stage: 'variables', status: statusOf('BAD_USER_INPUT'), errors };
      }
      variables = coerced.coerced;
    }

    const key = operation.priceKey(variables);
    let cost = operation.price(key);
    if (cost === undefined) {
      try {
        cost = operationCost(rules.schema, operation.document, operation.operation, variables, costRule);
      } catch (error) {
        // An argument execution would refuse (null into a non-null argument through a variable
        // with a default, say): refused now, with execution's words, instead of priced without it.
        if (error instanceof GraphQLError) return refuse('BAD_USER_INPUT', error.message);
        rules.logger.warn({ err: error, operation: operation.name }, 'the cost of an operation could not be worked out; refused');
        return refuse('QUERY_TOO_COMPLEX', 'the cost of this operation could not be worked out', { limit: 'cost', max: rules.maxCost });
      }
      operation.rememberPrice(key, cost);
    }
    if (cost > rules.maxCost) {
      return refuse('QUERY_TOO_COMPLEX', `the query costs ${cost}, more than the limit of ${rules.maxCost}; ask for fewer objects (smaller first, fewer fields with lists or totalCount)`, {
        limit: 'cost',
        max: rules.maxCost,
        cost,
      });
    }

    // The legacy door's listings hold a listing slot for the whole stream (legacy/http-adapter.ts):
    // its pages are not priced again one by one.
    // A cheap query or mutation (task(id)) touches no counter: no promise, as it would admit it at once.
    const fairShare = rules.fairShare;
    if (!fairShare || door === 'legacy' || (operation.kind !== 'subscription' && !fairShare.countsCost(cost))) {
      return withSlot(door, operation, caller, context, variables, cost, undefined);
    }
    const slot = operation.kind === 'subscription' ? fairShare.open('wsSubscription', caller.id) : fairShare.admitCost(caller.id, cost, connectionsOf(operation.operation));
    return slot.then(
      (release) => withSlot(door, operation, caller, context, variables, cost, release),
      (error: unknown): Admission => {
        if (!(error instanceof RateLimited)) throw error;
        return { admitted: false, stage: 'refused', status: statusOf('RATE_LIMITED'), errors: [rateLimitedGraphqlError(error, door === 'websocket' ? 'websocket' : 'http')] };
      },
    );
  };

  /** The rest of admission once the fair-share slot (if any) is taken: a write's claim, and where the slot is held. */
  function withSlot(
    door: Door,
    operation: PreparedOperation,
    caller: Caller,
    context: object | undefined,
    variables: Record<string, unknown>,
    cost: number,
    release: Release | undefined,
  ): MaybePromise<Admission> {
    if (operation.kind === 'mutation' && doors[door].claimsWrites) {
      return rules.claimWrite(caller).then(
        () => admitted(door, context, variables, cost, release),
        (error: unknown) => {
          release?.();
          if (!(error instanceof AuthError)) throw error;
          // The signature's own status (401, or 503 when the replay guard cannot be reached).
          return refuse(error.status === 503 ? 'SERVICE_UNAVAILABLE' : 'UNAUTHENTICATED', error.message, { reason: error.reason }, error.status);
        },
      );
    }
    return admitted(door, context, variables, cost, release);
  }

  function admitted(door: Door, context: object | undefined, variables: Record<string, unknown>, cost: number, release: Release | undefined): Admission {
    // Over HTTP the slot is held with the request's record (Apollo hands plugins a copy of the
    // context; the record is shared) until the answer is sent (FairShare.settle in graphql/http-door.ts).
    const holder = door === 'http' && context ? (recordOfContext(context) ?? context) : undefined;
    if (release && holder && rules.fairShare) {
      rules.fairShare.hold(holder, release);
      return { admitted: true, variables, cost };
    }
    return { admitted: true, variables, cost, release };
  }
}

/** A refusal's errors with the HTTP status Apollo and the direct path answer with (`extensions.http`). */
export function withHttpStatus(error: GraphQLError, status: number): GraphQLError {
  return new GraphQLError(error.message, {
    nodes: error.nodes,
    originalError: error.originalError ?? undefined,
    extensions: { ...error.extensions, http: { ...(error.extensions.http as object | undefined), status } },
  });
}
