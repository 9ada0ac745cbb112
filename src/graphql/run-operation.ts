import { execute, type ExecutionResult, type GraphQLSchema } from 'graphql';
import { andThen, type MaybePromise } from '../lib/maybe-promise';
import type { PreparedOperation } from './documents';

/** graphql-jit takes ~150 ms to load (its JSON serializer pulls in ajv): only once something is compiled, not at start. */
let jit: typeof import('graphql-jit') | undefined;
const graphqlJit = (): typeof import('graphql-jit') => (jit ??= require('graphql-jit') as typeof import('graphql-jit'));

/**
 * Runs an admitted operation (admission.ts) with the variables admission coerced: graphql-jit's
 * compiled form once the operation has run `compileAfterUses` times (less than half
 * graphql-js's execution cost on task(id), `node bench/layers.js`), graphql-js `execute` before
 * that and for what graphql-jit cannot compile. The executors coerce the variables again; the
 * values admission coerced come out of that unchanged (test/unit/graphql/coerced-variables),
 * so what runs is what was priced. Used by the direct path of POST /graphql and the legacy
 * routes; Apollo and graphql-ws run graphql-js with the same coerced values. A value when every
 * resolver answered at once (as the executors do), else a promise; it may throw as they may.
 */
export function runOperation(
  schema: GraphQLSchema,
  operation: PreparedOperation,
  variables: Record<string, unknown>,
  contextValue: unknown,
  compileAfterUses: number,
): MaybePromise<{ result: ExecutionResult; compiled: boolean }> {
  const ran = startOperation(schema, operation, variables, contextValue, compileAfterUses);
  return andThen(ran.result, (result) => ({ result, compiled: ran.compiled }));
}

/**
 * runOperation with which way it runs known at once: the result is the executor's own value or
 * promise, with no promise of ours chained after it (one microtask turn less per answer that waits
 * on the database). It may throw as the executors may.
 */
export function startOperation(
  schema: GraphQLSchema,
  operation: PreparedOperation,
  variables: Record<string, unknown>,
  contextValue: unknown,
  compileAfterUses: number,
): { result: MaybePromise<ExecutionResult>; compiled: boolean } {
  const compiled = compiledForm(schema, operation, compileAfterUses);
  if (compiled) return { result: compiled.query(undefined, contextValue, variables), compiled: true };
  return { result: execute({ schema, document: operation.document, operationName: operation.name, variableValues: variables, contextValue }), compiled: false };
}

function compiledForm(schema: GraphQLSchema, operation: PreparedOperation, compileAfterUses: number) {
  if (operation.compiled !== undefined) return operation.compiled ?? undefined;
  if (++operation.uses < compileAfterUses) return undefined;
  // graphql-jit reads a variable that was not sent from the variables object as it is, and finds
  // Object.prototype's own (`$constructor`: a function, refused); graphql-js reads own ones only.
  if (operation.operation.variableDefinitions?.some((definition) => definition.variable.name.value in Object.prototype)) {
    operation.compiled = null;
    return undefined;
  }
  const { compileQuery, isCompiledQuery } = graphqlJit();
  try {
    const compiled = compileQuery(schema, operation.document, operation.name);
    operation.compiled = isCompiledQuery(compiled) ? compiled : null;
  } catch {
    // A document graphql-jit cannot handle still runs, through graphql-js.
    operation.compiled = null;
  }
  return operation.compiled ?? undefined;
}
