import { HeaderMap } from '@apollo/server';
import { GraphQLError } from 'graphql';
import { LegacyFailure } from '../legacy/failure';
import { RateLimited } from './fair-share';

/** The code every door refuses with when a key uses more than its share. */
export const rateLimitedCode = 'RATE_LIMITED';

/** WebSocket close code for a connection refused because its key holds its most (mirrors HTTP 429). */
export const rateLimitedCloseCode = 4429;

/**
 * A GraphQL error for the refusal: `extensions.code` RATE_LIMITED, `retryAfter` in seconds,
 * `limit` and `max`; over HTTP also status 429 with Retry-After (`http`, which Apollo and the
 * direct path take out of the body).
 */
export function rateLimitedGraphqlError(error: RateLimited, door: 'http' | 'websocket' = 'http'): GraphQLError {
  const extensions: Record<string, unknown> = { code: rateLimitedCode, retryAfter: error.retryAfterSeconds, limit: error.limit.kind, max: error.limit.max };
  if (door === 'http') extensions.http = { status: 429, headers: new HeaderMap([['retry-after', String(error.retryAfterSeconds)]]) };
  return new GraphQLError(error.message, { extensions });
}

/** The refusal on a legacy REST route: 429, Retry-After, and the reason in the body. */
export function rateLimitedFailure(error: RateLimited): LegacyFailure {
  return new LegacyFailure(429, error.message, { 'retry-after': String(error.retryAfterSeconds) });
}

/** Runs `open` and turns a RateLimited refusal into the legacy route's 429. */
export async function openOrRefuse<T>(open: () => Promise<T>): Promise<T> {
  try {
    return await open();
  } catch (error) {
    throw error instanceof RateLimited ? rateLimitedFailure(error) : error;
  }
}
