import type { IncomingHttpHeaders } from 'node:http';
import { type ExecutionResult, GraphQLError, type GraphQLSchema } from 'graphql';
import type { Context } from '../context';
import { noteErrors, noteOperation } from '../ops/apollo-observer';
import { recordOfContext } from '../ops/request-log';
import { type Admission, type OperationRequest, withHttpStatus } from './admission';
import { attempt, type MaybePromise } from '../lib/maybe-promise';
import type { DocumentCache, PreparedOperation } from './documents';
import { type FormatError, formatErrors } from './format-errors';
import { startOperation } from './run-operation';

export interface DirectExecutionOptions {
  schema: GraphQLSchema;
  /** The one document cache (documents.ts), which Apollo fills as its documentStore. */
  documents: DocumentCache;
  /** The one admission check (admission.ts). */
  admit(request: OperationRequest): MaybePromise<Admission>;
  /** Apollo's formatError (error masking). */
  formatError: FormatError;
}

export interface DirectAnswer {
  /** How it ran: graphql-js, or graphql-jit's compiled form of the operation. */
  engine: 'direct' | 'compiled';
  status: number;
  /** Headers an error asked for (`extensions.http.headers`, e.g. Retry-After), as Apollo sends them. */
  headers?: Record<string, string>;
  /** JSON, as Apollo writes it (errors, data, extensions; a newline at the end). */
  body: string;
}

/** What a JSON POST to /graphql carried. */
export interface GraphqlPost {
  headers: IncomingHttpHeaders;
  body: unknown;
}

/** Compiling costs milliseconds: only operations a client sends again are worth it. */
const compileAfterUses = 3;

/**
 * The direct path for POST /graphql: a document already parsed and validated (by Apollo or by
 * another door: the one document cache) runs straight through graphql-js, or graphql-jit once it
 * has come back a few times, without Apollo's per-request pipeline (body checks, content
 * negotiation, query hashing, plugin hooks), which cost about as much CPU as the execution itself
 * on `task(id)` (bench/PROFILE.md).
 *
 * It imitates nothing: whatever would be answered with an error before execution (a document
 * not known valid, an operation the document lacks, variables graphql-js refuses), and every
 * request that is not a plain JSON POST, returns undefined and goes to Apollo, which words it.
 * What it does answer went through the same admission check as Apollo's path (admission.ts),
 * and its errors through the same formatter and masking (format-errors.ts).
 */
export function directExecution(options: DirectExecutionOptions) {
  return (post: GraphqlPost, context: Context): MaybePromise<DirectAnswer | undefined> => {
    const request = wellFormed(post);
    if (!request) return undefined;
    const operation = options.documents.known(request.query)?.operation(request.operationName);
    if (!operation) return undefined;
    return attempt(
      () => options.admit({ door: 'http', operation, variables: request.variables, caller: context.caller, context }),
      (admission) => answer(operation, context, admission),
      // Not a refusal: a failure (the replay guard's store, say), answered like one while executing.
      (error) => answer(operation, context, error instanceof Error ? error : new Error(String(error))),
    );
  };

  function answer(operation: PreparedOperation, context: Context, admission: Admission | Error): MaybePromise<DirectAnswer | undefined> {
    if (!(admission instanceof Error) && !admission.admitted && admission.stage === 'variables') return undefined;

    const record = recordOfContext(context);
    if (record) noteOperation(record, operation.name ?? null);
    /** Errors as Apollo answers them: status from `extensions.http`, else `status`; `result` when execution ran. */
    const withErrors = (errors: readonly GraphQLError[], status: number, engine: DirectAnswer['engine'], result?: ExecutionResult): DirectAnswer => {
      if (record) noteErrors(record, errors);
      const formatted = formatErrors(errors, options.formatError);
      const body = result ? { errors: formatted.errors, data: result.data, extensions: result.extensions } : { errors: formatted.errors };
      return { engine, status: formatted.status ?? status, headers: formatted.headers, body: JSON.stringify(body) + '\n' };
    };
    if (admission instanceof Error) return withErrors([asGraphqlError(admission)], 500, 'direct');
    if (!admission.admitted) {
      const { status } = admission;
      return withErrors(admission.errors.map((e) => withHttpStatus(e, status)), status, 'direct');
    }

    const { variables } = admission;
    let started: ReturnType<typeof startOperation>;
    try {
      started = startOperation(options.schema, operation, variables, context, compileAfterUses);
    } catch (error) {
      return withErrors([asGraphqlError(error)], 500, operation.compiled ? 'compiled' : 'direct');
    }
    const engine = started.compiled ? 'compiled' : 'direct';
    return attempt(
      () => started.result,
      (result): DirectAnswer => {
        if (!result.errors?.length) return { engine, status: 200, body: JSON.stringify({ data: result.data }) + '\n' };
        return withErrors(result.errors, 200, engine, result);
      },
      (error) => withErrors([asGraphqlError(error)], 500, engine),
    );
  }
}

interface WellFormedPost {
  query: string;
  operationName?: string | null;
  variables?: Record<string, unknown>;
}

const plainAccept = new Set(['*/*', 'application/json']);

/** The request, when it is a plain JSON GraphQL POST the direct path may answer. */
function wellFormed({ headers, body }: GraphqlPost): WellFormedPost | undefined {
  if (!headers['content-type']?.startsWith('application/json')) return undefined;
  const accept = headers.accept;
  if (accept !== undefined && !plainAccept.has(accept)) return undefined;
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return undefined;
  // extensions (persisted queries) and anything unknown: Apollo's. (A loop, not a rest pattern: no copy of the body per request.)
  for (const key in body) if (key !== 'query' && key !== 'operationName' && key !== 'variables') return undefined;
  const { query, operationName, variables } = body as Record<string, unknown>;
  if (typeof query !== 'string') return undefined;
  if (operationName != null && typeof operationName !== 'string') return undefined;
  if (variables != null && (typeof variables !== 'object' || Array.isArray(variables))) return undefined;
  return { query, operationName: operationName as string | null | undefined, variables: (variables ?? undefined) as Record<string, unknown> | undefined };
}

function asGraphqlError(error: unknown): GraphQLError {
  if (error instanceof GraphQLError) return error;
  const cause = error instanceof Error ? error : new Error(String(error));
  return new GraphQLError(cause.message, { originalError: cause });
}
