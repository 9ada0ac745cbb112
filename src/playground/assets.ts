import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/**
 * The playground's files: GraphiQL, React, the graphql-ws client and an MD5 function, copied
 * from node_modules into dist/playground by `npm run build` (scripts/bundle-playground.js),
 * beside the page and script of our own. Nothing is fetched from a CDN.
 */
export const playgroundFiles: Record<string, { from: string; type: string }> = {
  'index.html': { from: 'src/playground/static/index.html', type: 'text/html; charset=utf-8' },
  'playground.js': { from: 'src/playground/static/playground.js', type: 'text/javascript; charset=utf-8' },
  'playground.css': { from: 'src/playground/static/playground.css', type: 'text/css; charset=utf-8' },
  'graphiql.min.js': { from: 'node_modules/graphiql/graphiql.min.js', type: 'text/javascript; charset=utf-8' },
  'graphiql.min.css': { from: 'node_modules/graphiql/graphiql.min.css', type: 'text/css; charset=utf-8' },
  'react.production.min.js': { from: 'node_modules/react/umd/react.production.min.js', type: 'text/javascript; charset=utf-8' },
  'react-dom.production.min.js': { from: 'node_modules/react-dom/umd/react-dom.production.min.js', type: 'text/javascript; charset=utf-8' },
  'graphql-ws.min.js': { from: 'node_modules/graphql-ws/umd/graphql-ws.min.js', type: 'text/javascript; charset=utf-8' },
  'md5.min.js': { from: 'node_modules/blueimp-md5/js/md5.min.js', type: 'text/javascript; charset=utf-8' },
};

/** The package root: the nearest folder above this file with taskgate's package.json. */
export function packageRoot(start = __dirname): string {
  for (let dir = start; ; dir = dirname(dir)) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest) && (JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string }).name === 'taskgate') return dir;
    if (dirname(dir) === dir) throw new Error('taskgate: cannot find the package root');
  }
}

export function playgroundDir(root = packageRoot()): string {
  return join(root, 'dist', 'playground');
}
