import type { IncomingHttpHeaders } from 'node:http';
import {
  type DocumentNode,
  type ExecutionResult,
  getOperationAST,
  GraphQLError,
  type GraphQLSchema,
  Kind,
  parse,
  type ParseOptions,
  specifiedRules,
  validate,
  type ValidationRule,
  visit,
  BREAK,
  type OperationDefinitionNode,
} from 'graphql';
import type { CompiledQuery } from 'graphql-jit';
import type { Authenticator } from '../auth/authenticate';
import type { Context } from '../context';
import type { FairShare } from '../fairness/fair-share';
import { noteErrors, noteOperation } from '../ops/apollo-observer';
import { recordOfContext } from '../ops/request-log';
import { admitOperation } from './admission';
import { type FormatError, formatErrors, withInputCode } from './format-errors';
import type { Limits } from './limits';
import { prepareOperation, runOperation } from './run-operation';

export interface DirectExecutionOptions {
  schema: GraphQLSchema;
  /** The same extra rules Apollo validates with (validation-rules.ts). */
  validationRules: readonly ValidationRule[];
  /** The same parse options (token limit) Apollo parses with. */
  parseOptions: ParseOptions;
  limits: Limits;
  authenticator: Authenticator;
  /** Apollo's formatError (error masking). */
  formatError: FormatError;
  /** How many distinct documents stay parsed and validated. */
  cacheSize: number;
  /** Per-key fair share of costly work (admission.ts). */
  fairShare?: FairShare;
}

export interface DirectAnswer {
  /** How it ran: graphql-js, or graphql-jit's compiled form of the document. */
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

/**
 * The direct path for POST /graphql: a JSON request whose document parses and validates runs
 * straight through graphql-js `execute` (and, once the document has come back a few times,
 * through graphql-jit's compiled form of it), without Apollo's per-request pipeline (body
 * checks, content negotiation, query hashing, plugin hooks), which cost about as much CPU as the
 * execution itself on `task(id)` (bench/PROFILE.md).
 *
 * It answers only what it can answer exactly as Apollo would: a well-formed JSON body without
 * extensions, a plain Accept, a query or mutation from a document that parses and validates
 * with the same rules and asks for no introspection. Everything else (a first bad document,
 * GET, persisted queries, multipart, introspection, a missing operation) returns undefined and
 * goes to Apollo. The checks before running (admission.ts), error formatting and masking
 * (format-errors.ts), and what the request log and metrics record are shared with Apollo's path.
 */
export function directExecution(options: DirectExecutionOptions) {
  const documents = new PreparedDocuments(options);

  return async (post: GraphqlPost, context: Context): Promise<DirectAnswer | undefined> => {
    const request = wellFormed(post);
    if (!request) return undefined;
    const prepared = documents.get(request.query);
    if (!prepared) return undefined;
    const { document } = prepared;
    const operation = getOperationAST(document, request.operationName ?? undefined);
    if (!operation || operation.operation === 'subscription') return undefined;

    const record = recordOfContext(context);
    if (record) noteOperation(record, operation.name?.value || null);
    /** Errors as Apollo answers them: status from `extensions.http` or `status`; `result` when execution ran. */
    const withErrors = (errors: readonly GraphQLError[], status: number, engine: DirectAnswer['engine'], result?: ExecutionResult): DirectAnswer => {
      if (record) noteErrors(record, errors);
      const formatted = formatErrors(errors, options.formatError);
      const body = result ? { errors: formatted.errors, data: result.data, extensions: result.extensions } : { errors: formatted.errors };
      return { engine, status: formatted.status ?? status, headers: formatted.headers, body: JSON.stringify(body) + '\n' };
    };

    try {
      await admitOperation(
        { schema: options.schema, document, operation, operationName: request.operationName, variables: request.variables, caller: context.caller, context },
        options.limits,
        options.authenticator,
        options.fairShare,
      );
    } catch (error) {
      return withErrors([asGraphqlError(error)], 500, 'direct');
    }

    let result: ExecutionResult;
    const compiled = compiledFor(prepared, operation);
    const engine = compiled ? 'compiled' : 'direct';
    try {
      result = await runOperation(options.schema, { document, operation, compiled }, request.variables, context);
    } catch (error) {
      return withErrors([asGraphqlError(error)], 500, engine);
    }
    if (!result.errors?.length) return { engine, status: 200, body: JSON.stringify({ data: result.data }) + '\n' };
    // Nothing ran (the variables were refused): 400, as Apollo answers.
    return withErrors(result.errors.map(withInputCode), result.data === undefined ? 400 : 200, engine, result);
  };

  /** graphql-js runs a document until it has been seen `compileAfterUses` times, then graphql-jit's compiled form of it. */
  function compiledFor(prepared: PreparedDocument, operation: OperationDefinitionNode): CompiledQuery | undefined {
    const name = operation.name?.value ?? '';
    const known = prepared.compiled.get(name);
    if (known !== undefined) return known ?? undefined;
    if (++prepared.uses < compileAfterUses) return undefined;
    // Whatever graphql-jit cannot compile keeps running through graphql-js.
    const compiled = prepareOperation(options.schema, prepared.document, operation).compiled ?? null;
    prepared.compiled.set(name, compiled);
    return compiled ?? undefined;
  }
}

/** Compiling costs milliseconds: only documents a client sends again are worth it. */
const compileAfterUses = 3;

interface PreparedDocument {
  document: DocumentNode;
  /** Requests that ran it through graphql-js so far. */
  uses: number;
  /** graphql-jit's compiled form per operation name ("" for the anonymous one); null when it could not compile. */
  compiled: Map<string, CompiledQuery | null>;
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
  const { query, operationName, variables, ...rest } = body as Record<string, unknown>;
  for (const key in rest) return undefined; // extensions (persisted queries) and anything unknown: Apollo's
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

/**
 * Documents that parsed and validated with Apollo's rules, by their text. A document that does
 * not is not kept (Apollo answers it, with its own wording). Oldest first out when full.
 */
class PreparedDocuments {
  private readonly documents = new Map<string, PreparedDocument>();
  private readonly rules: readonly ValidationRule[];

  constructor(private readonly options: DirectExecutionOptions) {
    this.rules = [...specifiedRules, ...options.validationRules];
  }

  get(query: string): PreparedDocument | undefined {
    const known = this.documents.get(query);
    if (known) return known;
    let document: DocumentNode;
    try {
      document = parse(query, this.options.parseOptions);
    } catch {
      return undefined;
    }
    if (asksForIntrospection(document) || validate(this.options.schema, document, this.rules).length > 0) return undefined;
    if (this.documents.size >= this.options.cacheSize) this.documents.delete(this.documents.keys().next().value as string);
    const prepared: PreparedDocument = { document, uses: 0, compiled: new Map() };
    this.documents.set(query, prepared);
    return prepared;
  }
}

/** Introspection is Apollo's to allow or refuse (off in production). */
function asksForIntrospection(document: DocumentNode): boolean {
  let found = false;
  visit(document, {
    [Kind.FIELD](node) {
      if (node.name.value === '__schema' || node.name.value === '__type') {
        found = true;
        return BREAK;
      }
      return undefined;
    },
  });
  return found;
}
