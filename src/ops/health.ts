import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { HttpRoute } from '../http/router';
import { sendJson } from '../http/respond';
import type { Metrics } from './metrics';
import type { Readiness } from './readiness';

const noStore = { 'cache-control': 'no-store' };

/** GET /healthz: the process is alive and its event loop answers. Nothing else is checked. */
export function healthRoute(startedAt: number): HttpRoute {
  return {
    name: 'healthz',
    matches: (path) => path === '/healthz',
    handle(req: IncomingMessage, res: ServerResponse) {
      if (!allowGet(req, res)) return;
      sendJson(res, 200, { status: 'ok', uptimeSeconds: Math.round((Date.now() - startedAt) / 1000) }, noStore);
    },
  };
}

/**
 * GET /readyz: 200 when every required check passes (`status` "ready", or "degraded" naming the
 * optional parts that fail, e.g. Redis), else 503 naming the failing parts.
 */
export function readinessRoute(readiness: Readiness): HttpRoute {
  return {
    name: 'readyz',
    matches: (path) => path === '/readyz',
    async handle(req: IncomingMessage, res: ServerResponse) {
      if (!allowGet(req, res)) return;
      const report = await readiness.report();
      const body = !report.ready
        ? { status: 'unavailable', failing: report.failing, ...(report.degraded.length ? { degraded: report.degraded } : {}), checks: report.checks }
        : report.degraded.length
          ? { status: 'degraded', degraded: report.degraded, checks: report.checks }
          : { status: 'ready', checks: report.checks };
      sendJson(res, report.ready ? 200 : 503, body, noStore);
    },
  };
}

/**
 * GET /metrics in Prometheus text format. With `token` (TASKGATE_METRICS_TOKEN) only a scraper
 * sending `Authorization: Bearer <token>` is answered; others get 401.
 */
export function metricsRoute(metrics: Metrics, token = ''): HttpRoute {
  // Compared as digests: same length whatever is sent, and constant-time.
  const expected = token ? createHash('sha256').update(`Bearer ${token}`).digest() : undefined;
  return {
    name: 'metrics',
    matches: (path) => path === '/metrics',
    async handle(req: IncomingMessage, res: ServerResponse) {
      if (!allowGet(req, res)) return;
      if (expected && !timingSafeEqual(createHash('sha256').update(req.headers.authorization ?? '').digest(), expected)) {
        sendJson(
          res,
          401,
          { error: 'MetricsTokenRequired', message: 'send Authorization: Bearer <TASKGATE_METRICS_TOKEN> to read the metrics' },
          { 'www-authenticate': 'Bearer realm="taskgate metrics"', ...noStore },
        );
        return;
      }
      const text = await metrics.text();
      res.writeHead(200, { 'content-type': metrics.contentType(), 'cache-control': 'no-store' });
      res.end(text);
    },
  };
}

function allowGet(req: IncomingMessage, res: ServerResponse): boolean {
  if (req.method === 'GET' || req.method === 'HEAD') return true;
  sendJson(res, 405, { error: `${req.method} is not allowed here; use GET` }, { allow: 'GET, HEAD' });
  return false;
}
