import { boardRoute } from '../board/route';
import type { AppConfig } from '../config';
import type { HttpRoute } from '../http/router';
import { playgroundRoute } from '../playground/route';
import { indexRoute, type Links } from '../web/index-route';
import { healthRoute, metricsRoute, readinessRoute } from './health';
import type { Metrics } from './metrics';
import type { Readiness } from './readiness';

/** What GET / lists, and where a browser that opened /graphql is sent: only what this configuration serves. */
export function linksOf(config: AppConfig): Links {
  return {
    graphql: '/graphql',
    playground: config.playgroundEnabled ? '/playground' : undefined,
    board: config.boardEnabled ? '/board' : undefined,
    openapi: config.legacyPrefixes.includes('/api/virtshell/v1') ? '/api/virtshell/v1/openapi.json' : undefined,
    health: '/healthz',
    ready: '/readyz',
    metrics: config.metricsEnabled ? '/metrics' : undefined,
  };
}

/**
 * The operations routes, in the two groups the router tries around the legacy door (before it:
 * the index and the probes; after it: metrics, playground and board, each when configured on).
 */
export function opsRoutes(options: { config: AppConfig; links: Links; readiness: Readiness; metrics: Metrics; startedAt: number }): { probes: HttpRoute[]; pages: HttpRoute[] } {
  const { config } = options;
  const pages: HttpRoute[] = [];
  if (config.metricsEnabled) pages.push(metricsRoute(options.metrics, config.metricsToken));
  if (config.playgroundEnabled) pages.push(playgroundRoute());
  if (config.boardEnabled) pages.push(boardRoute());
  return { probes: [indexRoute(options.links), healthRoute(options.startedAt), readinessRoute(options.readiness)], pages };
}
