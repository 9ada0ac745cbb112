import type { IncomingMessage, ServerResponse } from 'node:http';
import Negotiator from 'negotiator';
import type { HttpRoute } from '../http/router';
import { sendJson } from '../http/respond';

/** What a person (or a script) finds at GET /: where everything is. Paths only: they work behind any host. */
export interface Links {
  graphql: string;
  playground?: string;
  board?: string;
  openapi?: string;
  health: string;
  ready: string;
  metrics?: string;
}

const noStore = { 'cache-control': 'no-store' };

/** True when the client would rather read HTML than JSON (a browser's Accept says so). */
export function wantsHtml(req: IncomingMessage): boolean {
  return new Negotiator({ headers: { accept: req.headers.accept ?? '*/*' } }).mediaType(['application/json', 'text/html']) === 'text/html';
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function page(title: string, intro: string, links: Links): string {
  const items: [string, string | undefined, string][] = [
    ['Playground', links.playground, 'GraphiQL: paste an access key id and secret, then run queries and subscriptions'],
    ['Task board', links.board, 'every task, live, in four columns'],
    ['GraphQL endpoint', links.graphql, 'POST signed requests here (X-VirtShell-Authorization); subscriptions over WebSocket'],
    ['Legacy REST API (OpenAPI)', links.openapi, 'the Tasks API of the original server'],
    ['Readiness', links.ready, 'can this instance serve?'],
    ['Metrics', links.metrics, 'Prometheus text'],
  ];
  const list = items
    .filter(([, href]) => href)
    .map(([name, href, what]) => `<li><a href="${escapeHtml(href as string)}">${escapeHtml(name)}</a> <code>${escapeHtml(href as string)}</code> — ${escapeHtml(what)}</li>`)
    .join('\n');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title>
<style>body{font-family:system-ui,sans-serif;max-width:46rem;margin:2rem auto;padding:0 1rem;line-height:1.5;color:#111827}code{background:#f3f4f6;padding:0 .25rem;border-radius:.2rem}li{margin:.4rem 0}</style>
</head><body><h1>${escapeHtml(title)}</h1><p>${escapeHtml(intro)}</p><ul>
${list}
</ul><p>Every request must be signed with an access key (see the README's Authentication section); <code>taskgate keys create --user &lt;id&gt;</code> makes one, <code>taskgate call</code> signs and sends a request.</p></body></html>`;
}

function send(req: IncomingMessage, res: ServerResponse, status: number, title: string, intro: string, links: Links): void {
  if (wantsHtml(req)) {
    const html = page(title, intro, links);
    res.writeHead(status, { 'content-type': 'text/html; charset=utf-8', 'content-length': Buffer.byteLength(html), ...noStore });
    res.end(req.method === 'HEAD' ? undefined : html);
    return;
  }
  sendJson(res, status, { name: 'taskgate', message: intro, links }, noStore);
}

/** GET / : a small index of what this server offers, HTML for browsers and JSON for everyone else. */
export function indexRoute(links: Links): HttpRoute {
  return {
    name: 'index',
    matches: (path) => path === '/',
    handle(req, res) {
      if (req.method !== 'GET' && req.method !== 'HEAD') return sendJson(res, 405, { error: `${req.method} is not allowed here; use GET` }, { allow: 'GET, HEAD' });
      send(req, res, 200, 'taskgate', 'A GraphQL gateway over the VirtShell tasks model.', links);
    },
  };
}

/**
 * A browser opening /graphql (a GET that asks for HTML and carries no query) is no GraphQL
 * client: instead of a 401 in JSON it is shown where to go. True when it answered.
 */
export function pointBrowserAway(req: IncomingMessage, res: ServerResponse, search: string, links: Links): boolean {
  if (req.method !== 'GET' || new URLSearchParams(search).has('query') || !wantsHtml(req)) return false;
  send(req, res, 200, 'taskgate: this is the GraphQL endpoint', 'GraphQL clients POST signed requests here. In a browser, open the playground or the task board instead.', links);
  return true;
}
