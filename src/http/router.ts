import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from '../ops/logger';
import { sendJson } from './respond';

/** One door of the HTTP server. `search` is the query string with its leading "?", or "". */
export interface HttpRoute {
  name: string;
  matches(path: string): boolean;
  handle(req: IncomingMessage, res: ServerResponse, path: string, search: string): Promise<void> | void;
}

/**
 * Dispatches each request to the first route that claims its path. Unknown paths get a
 * JSON 404; a handler that throws is logged in full and answered with a bare 500.
 */
export function createRequestListener(routes: HttpRoute[], logger: Logger) {
  return (req: IncomingMessage, res: ServerResponse): void => {
    const url = req.url ?? '/';
    const q = url.indexOf('?');
    const path = q === -1 ? url : url.slice(0, q);
    const search = q === -1 ? '' : url.slice(q);
    const route = routes.find((r) => r.matches(path));
    if (!route) return sendJson(res, 404, { error: `no route for ${path}` });
    let pending: Promise<void> | void;
    try {
      pending = route.handle(req, res, path, search);
    } catch (error) {
      return fail(res, logger, route, error);
    }
    if (pending) pending.catch((error: unknown) => fail(res, logger, route, error));
  };
}

function fail(res: ServerResponse, logger: Logger, route: HttpRoute, error: unknown): void {
  logger.error({ err: error, route: route.name }, 'unhandled error in an HTTP handler');
  if (!res.headersSent) sendJson(res, 500, { error: 'internal server error' });
  else res.destroy();
}
