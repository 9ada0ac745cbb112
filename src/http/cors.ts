import type { IncomingMessage, ServerResponse } from 'node:http';

/** Every request header a route reads: the signature, the resume and concurrency headers, the spelling choice. */
const allowedHeaders = [
  'authorization',
  'x-virtshell-authorization',
  'x-virtshell-date',
  'content-md5',
  'content-type',
  'apollo-require-preflight',
  'last-event-id',
  'if-match',
  'if-none-match',
  'x-taskgate-status-spelling',
].join(', ');
/** Response headers a browser script may read besides the safelisted ones. */
const exposedHeaders = 'etag, retry-after';

/**
 * CORS for the configured origins (TASKGATE_CORS_ORIGINS). Answers preflights itself (they carry
 * no signature) and adds the allow-origin header to real requests; with no origins configured it
 * does nothing, so browsers on other origins are refused by their own rules.
 * Returns true when the request was a preflight and has been answered.
 */
export function applyCors(origins: string[], req: IncomingMessage, res: ServerResponse): boolean {
  if (origins.length === 0) return false;
  const origin = req.headers.origin;
  const allowed = typeof origin === 'string' && (origins.includes('*') || origins.includes(origin));
  if (allowed) {
    res.setHeader('access-control-allow-origin', origins.includes('*') ? '*' : origin);
    res.setHeader('access-control-expose-headers', exposedHeaders);
    res.setHeader('vary', 'Origin');
  }
  if (req.method !== 'OPTIONS' || !req.headers['access-control-request-method']) return false;
  if (allowed) {
    res.setHeader('access-control-allow-methods', 'GET, POST, PUT, DELETE, OPTIONS');
    res.setHeader('access-control-allow-headers', allowedHeaders);
    res.setHeader('access-control-max-age', '600');
  }
  res.statusCode = 204;
  res.end();
  return true;
}
