import { type DocumentNode, execute, type ExecutionResult, getVariableValues, type GraphQLSchema, type OperationDefinitionNode } from 'graphql';
import type { CompiledQuery } from 'graphql-jit';

/** graphql-jit takes ~150 ms to load (its JSON serializer pulls in ajv): only once something is compiled, not at start. */
let jit: typeof import('graphql-jit') | undefined;
const graphqlJit = (): typeof import('graphql-jit') => (jit ??= require('graphql-jit') as typeof import('graphql-jit'));

/**
 * One GraphQL operation of a parsed, validated document, ready to run many times: graphql-jit's
 * compiled form of it when it compiles (less than half graphql-js's execution cost on task(id),
 * `node bench/layers.js`), graphql-js `execute` otherwise. Used by the direct path of POST
 * /graphql and by the legacy REST routes; subscriptions stay with graphql-js.
 */
export interface PreparedOperation {
  readonly document: DocumentNode;
  readonly operation: OperationDefinitionNode;
  /** Undefined when graphql-jit could not compile it. */
  readonly compiled: CompiledQuery | undefined;
}

export function prepareOperation(schema: GraphQLSchema, document: DocumentNode, operation: OperationDefinitionNode): PreparedOperation {
  const { compileQuery, isCompiledQuery } = graphqlJit();
  try {
    const compiled = compileQuery(schema, document, operation.name?.value);
    return { document, operation, compiled: isCompiledQuery(compiled) ? compiled : undefined };
  } catch {
    // A document graphql-jit cannot handle still runs, through graphql-js.
    return { document, operation, compiled: undefined };
  }
}

/**
 * Runs it. Variables are coerced by graphql-js first, as `execute` would, so a refused variable
 * reads the same whichever way the operation then runs (graphql-jit words them differently).
 */
export async function runOperation(
  schema: GraphQLSchema,
  prepared: { document: DocumentNode; operation: OperationDefinitionNode; compiled?: CompiledQuery },
  variables: Record<string, unknown> | undefined,
  contextValue: unknown,
): Promise<ExecutionResult> {
  const coerced = getVariableValues(schema, prepared.operation.variableDefinitions ?? [], variables ?? {}, { maxErrors: 50 });
  if (coerced.errors) return { errors: coerced.errors };
  if (prepared.compiled) return prepared.compiled.query(undefined, contextValue, variables ?? {});
  return execute({ schema, document: prepared.document, operationName: prepared.operation.name?.value, variableValues: variables, contextValue });
}
