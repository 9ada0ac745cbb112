import type { GraphQLError, GraphQLFormattedError } from 'graphql';

export type FormatError = (formatted: GraphQLFormattedError, error: unknown) => GraphQLFormattedError;

/**
 * Errors as Apollo Server 5 sends them, for the direct path (direct-execution.ts), which only
 * answers admission refusals and errors raised while executing (anything earlier is Apollo's to
 * answer): every error gets an `extensions.code` (INTERNAL_SERVER_ERROR when it has none),
 * `extensions.http` is taken out and becomes the response status, then `formatError` (error
 * masking, mask-errors.ts, Apollo's formatError too) decides what the client sees. The contract
 * test in test/integration/tasks/direct-execution.test.ts compares both paths answer for answer.
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
