import { GraphQLError, type GraphQLFormattedError, Kind } from 'graphql';

export type FormatError = (formatted: GraphQLFormattedError, error: unknown) => GraphQLFormattedError;

/**
 * Errors as Apollo Server 5 sends them, for the direct path (direct-execution.ts): every error
 * gets an `extensions.code` (INTERNAL_SERVER_ERROR when it has none), `extensions.http` is taken
 * out and becomes the response status, then `formatError` (error masking) decides what the
 * client sees. The contract test in test/integration/graphql/direct-execution.test.ts compares
 * both paths answer for answer.
 */
export function formatErrors(
  errors: readonly GraphQLError[],
  formatError: FormatError,
): { errors: GraphQLFormattedError[]; status?: number; headers?: Record<string, string> } {
  let status: number | undefined;
  let headers: Record<string, string> | undefined;
  const formatted = errors.map((error) => {
    const extensions: Record<string, unknown> = { ...error.extensions, code: error.extensions?.code ?? 'INTERNAL_SERVER_ERROR' };
    const http = extensions.http as { status?: unknown; headers?: unknown } | undefined;
    if (http && typeof http === 'object') {
      if (typeof http.status === 'number') status = http.status;
      if (http.headers instanceof Map) for (const [name, value] of http.headers) (headers ??= {})[String(name)] = String(value);
      delete extensions.http;
    }
    try {
      return formatError({ ...error.toJSON(), extensions }, error);
    } catch {
      return { message: 'Internal server error', extensions: { code: 'INTERNAL_SERVER_ERROR' } };
    }
  });
  return { errors: formatted, status, headers };
}

/**
 * graphql-js reports bad variable values without a code; Apollo gives them BAD_USER_INPUT
 * (and answers 400 when nothing ran). Same test as Apollo's: one variable definition node and
 * graphql-js's wording for a coercion failure.
 */
export function withInputCode(error: GraphQLError): GraphQLError {
  if (error.extensions?.code != null || error.nodes?.length !== 1) return error;
  const node = error.nodes[0];
  if (node.kind !== Kind.VARIABLE_DEFINITION) return error;
  const name = node.variable.name.value;
  const coercion = [`has invalid value`, `got invalid value `, `of required type `, `of non-null type `].some((tail) =>
    error.message.startsWith(`Variable "$${name}" ${tail}`),
  );
  if (!coercion) return error;
  return new GraphQLError(error.message, {
    nodes: error.nodes,
    originalError: error.originalError ?? error,
    extensions: { ...error.extensions, code: 'BAD_USER_INPUT' },
  });
}
