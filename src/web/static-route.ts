import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { HttpRoute } from '../http/router';
import { sendJson } from '../http/respond';
import { type webPages, webDir, type WebFile } from './assets';

/** Only our own files and same-origin connections, WebSockets included ('self' covers ws: and wss: to this host); GraphiQL needs inline styles. */
const contentSecurityPolicy = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "frame-ancestors 'none'",
].join('; ');

/**
 * A browser page and its files: GET /<page> is index.html, /<page>/<file> the listed files.
 * Files are read once and kept in memory; an unknown name is a 404, never a path on disk.
 */
export function staticPageRoute(page: keyof typeof webPages, files: Record<string, WebFile>, dir = webDir(page)): HttpRoute {
  const mount = `/${page}`;
  const cache = new Map<string, Buffer>();
  const load = (name: string): Buffer | undefined => {
    let body = cache.get(name);
    if (!body) {
      try {
        body = readFileSync(join(dir, name));
      } catch {
        return undefined;
      }
      cache.set(name, body);
    }
    return body;
  };
  return {
    name: page,
    matches: (path) => path === mount || path.startsWith(`${mount}/`),
    handle(req: IncomingMessage, res: ServerResponse, path: string) {
      if (req.method !== 'GET' && req.method !== 'HEAD') {
        return sendJson(res, 405, { error: `${req.method} is not allowed here; use GET` }, { allow: 'GET, HEAD' });
      }
      const name = path === mount || path === `${mount}/` ? 'index.html' : path.slice(mount.length + 1);
      const file = Object.hasOwn(files, name) ? files[name] : undefined;
      if (!file) return sendJson(res, 404, { error: `no ${page} file ${name}` });
      const body = load(name);
      if (!body) {
        return sendJson(res, 503, { error: `the ${page} assets are not built; run \`npm run build\`` });
      }
      res.writeHead(200, {
        'content-type': file.type,
        'content-length': body.length,
        'cache-control': name === 'index.html' ? 'no-cache' : 'public, max-age=3600',
        'content-security-policy': contentSecurityPolicy,
        'x-content-type-options': 'nosniff',
      });
      res.end(req.method === 'HEAD' ? undefined : body);
    },
  };
}
