import {
  type DocumentNode,
  type GraphQLError,
  type GraphQLSchema,
  getOperationAST,
  type OperationDefinitionNode,
  parse,
  specifiedRules,
  validate,
  type ValidationRule,
} from 'graphql';
import { type PreparedOperation, prepareOperation, runOperation } from '../graphql/run-operation';
import type { Context } from '../context';
import type { Logger } from '../ops/logger';
import { documentNotFound, LegacyFailure } from './failure';
import { type OperationName, operations } from './operations';
import { inLegacyWords } from './shapes';

/** HTTP status of each GraphQL error code a client can act on; anything else is a masked 500. */
export const httpStatusOfCode: Readonly<Record<string, number>> = {
  BAD_USER_INPUT: 400,
  TASK_NOT_FOUND: 404,
  INVALID_TRANSITION: 409,
  TASK_ALREADY_EXISTS: 409,
  VERSION_CONFLICT: 412,
  FORBIDDEN: 403,
  UNAUTHENTICATED: 401,
  SERVICE_UNAVAILABLE: 503,
};

export interface OperationExecutor {
  /** Executes one fixed operation; resolves to its data, or throws LegacyFailure. */
  run(name: OperationName, variables: Record<string, unknown>, context: Context): Promise<Record<string, any>>;
}

interface LegacyOperation {
  document: DocumentNode;
  operation: OperationDefinitionNode;
  /** Compiled on first use, not at start (loading graphql-jit costs start-up time: run-operation.ts). */
  prepared?: PreparedOperation;
}

/**
 * Parses and validates every legacy operation once (throws at start if one does not validate),
 * compiles each on its first use, then runs them (run-operation.ts): the same schema, resolvers,
 * context and error codes as /graphql, without re-parsing per request.
 */
export function createOperationExecutor(schema: GraphQLSchema, rules: readonly ValidationRule[], logger: Logger): OperationExecutor {
  const entries = new Map<OperationName, LegacyOperation>();
  for (const [name, source] of Object.entries(operations) as [OperationName, string][]) {
    const document = parse(source);
    const errors = validate(schema, document, [...specifiedRules, ...rules]);
    if (errors.length > 0) {
      throw new Error(`legacy operation ${name} does not validate against the schema: ${errors.map((e) => e.message).join('; ')}`);
    }
    const operation = getOperationAST(document);
    if (!operation) throw new Error(`legacy operation ${name} must hold exactly one operation`);
    entries.set(name, { document, operation });
  }

  return {
    async run(name, variables, contextValue) {
      const entry = entries.get(name) as LegacyOperation;
      entry.prepared ??= prepareOperation(schema, entry.document, entry.operation);
      const result = await runOperation(schema, entry.prepared, variables, contextValue);
      if (result.errors?.length) throw toFailure(result.errors[0], name, logger);
      return result.data as Record<string, any>;
    },
  };
}

function toFailure(error: GraphQLError, operation: OperationName, logger: Logger): LegacyFailure {
  const code = error.extensions?.code;
  const status = typeof code === 'string' ? httpStatusOfCode[code] : undefined;
  if (status === 404) return new LegacyFailure(404, documentNotFound, {}, code as string);
  if (status !== undefined) return new LegacyFailure(status, inLegacyWords(error.message), {}, code as string);
  // No path and no cause: graphql-js refused the variables before running anything (input).
  if (!error.path && !error.originalError) return new LegacyFailure(400, error.message, {}, 'BAD_USER_INPUT');
  logger.error({ err: error.originalError ?? error, operation, path: error.path }, 'unexpected error in a legacy REST operation');
  return new LegacyFailure(500, 'internal server error');
}
