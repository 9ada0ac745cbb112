import type { GraphQLError } from 'graphql';
import type { Context } from '../context';
import { isRefused, type PreparedOperation } from '../graphql/documents';
import type { GraphqlPipeline } from '../graphql/pipeline';
import { runOperation } from '../graphql/run-operation';
import type { Logger } from '../ops/logger';
import { documentNotFound, LegacyFailure } from './failure';
import { type OperationName, operations } from './operations';
import { inLegacyWords } from './shapes';

/** HTTP status of each GraphQL error code a client can act on; anything else is a masked 500. */
export const httpStatusOfCode: Readonly<Record<string, number>> = {
  BAD_USER_INPUT: 400,
  QUERY_TOO_COMPLEX: 400,
  RESPONSE_TOO_LARGE: 400,
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

/**
 * The legacy routes' fixed operations through the one document pipeline (graphql/pipeline.ts):
 * prepared once at start (the server does not start if one does not validate), admitted like
 * every other door's operations (cost limit, variables coerced once), compiled on first use and
 * run with the same schema, resolvers, context and error codes as /graphql.
 */
export function createOperationExecutor(pipeline: GraphqlPipeline, logger: Logger): OperationExecutor {
  const entries = new Map<OperationName, PreparedOperation>();
  for (const [name, source] of Object.entries(operations) as [OperationName, string][]) {
    const prepared = pipeline.documents.prepare(source);
    if (isRefused(prepared)) {
      throw new Error(`legacy operation ${name} does not validate against the schema: ${prepared.refused.map((e) => e.message).join('; ')}`);
    }
    const operation = prepared.operation(undefined);
    if (!operation) throw new Error(`legacy operation ${name} must hold exactly one operation`);
    entries.set(name, operation);
  }

  return {
    async run(name, variables, context) {
      const operation = entries.get(name) as PreparedOperation;
      const admission = await pipeline.admit({ door: 'legacy', operation, variables, caller: context.caller });
      if (!admission.admitted) {
        // graphql-js's words for a refused variable, as the legacy routes always answered them.
        if (admission.stage === 'variables') throw new LegacyFailure(400, admission.errors[0].message, {}, 'BAD_USER_INPUT');
        throw toFailure(admission.errors[0], name, logger);
      }
      // Each run is one answer: a streamed listing's pages each get the whole byte budget.
      const { result } = await runOperation(pipeline.schema, operation, admission.variables, { ...context, answer: context.answer.fresh() }, 1);
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
  logger.error({ err: error.originalError ?? error, operation, path: error.path }, 'unexpected error in a legacy REST operation');
  return new LegacyFailure(500, 'internal server error');
}
