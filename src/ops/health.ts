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

/** GET /metrics in Prometheus text format. */
export function metricsRoute(metrics: Metrics): HttpRoute {
  return {
    name: 'metrics',
    matches: (path) => path === '/metrics',
    async handle(req: IncomingMessage, res: ServerResponse) {
      if (!allowGet(req, res)) return;
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
