import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** A file a browser page is served: where the build copies it from, and its content type. */
export interface WebFile {
  from: string;
  type: string;
  /** Wrap a CommonJS file that imports nothing as a browser script setting `window[global]` to its exports. */
  global?: string;
}

const js = 'text/javascript; charset=utf-8';
const css = 'text/css; charset=utf-8';
const html = 'text/html; charset=utf-8';

/**
 * Browser code shared by the pages: the client kit's signer (the same code npm callers import as
 * taskgate/client, from the compiled build), key storage and the key bar, the graphql-ws client, MD5.
 */
const sharedFiles: Record<string, WebFile> = {
  'taskgate-client.js': { from: 'dist/src/client/signing.js', type: js, global: 'taskgateClient' },
  'signing.js': { from: 'src/web/static/signing.js', type: js },
  'key-bar.css': { from: 'src/web/static/key-bar.css', type: css },
  'graphql-ws.min.js': { from: 'node_modules/graphql-ws/umd/graphql-ws.min.js', type: js },
  'md5.min.js': { from: 'node_modules/blueimp-md5/js/md5.min.js', type: js },
};

/**
 * The pages taskgate serves, each under its own path with its own files, copied from src/ and
 * node_modules into dist/<page> by `npm run build` (scripts/bundle-web.js). Nothing is fetched
 * from a CDN, so they work on closed networks.
 */
export const webPages: Record<'playground' | 'board', Record<string, WebFile>> = {
  playground: {
    'index.html': { from: 'src/playground/static/index.html', type: html },
    'playground.js': { from: 'src/playground/static/playground.js', type: js },
    'playground.css': { from: 'src/playground/static/playground.css', type: css },
    'graphiql.min.js': { from: 'node_modules/graphiql/graphiql.min.js', type: js },
    'graphiql.min.css': { from: 'node_modules/graphiql/graphiql.min.css', type: css },
    'react.production.min.js': { from: 'node_modules/react/umd/react.production.min.js', type: js },
    'react-dom.production.min.js': { from: 'node_modules/react-dom/umd/react-dom.production.min.js', type: js },
    ...sharedFiles,
  },
  board: {
    'index.html': { from: 'src/board/static/index.html', type: html },
    'board.js': { from: 'src/board/static/board.js', type: js },
    'board.css': { from: 'src/board/static/board.css', type: css },
    ...sharedFiles,
  },
};

/** The package root: the nearest folder above this file with taskgate's package.json. */
export function packageRoot(start = __dirname): string {
  for (let dir = start; ; dir = dirname(dir)) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest) && (JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string }).name === 'taskgate') return dir;
    if (dirname(dir) === dir) throw new Error('taskgate: cannot find the package root');
  }
}

/** Where the build put a page's files. */
export function webDir(page: keyof typeof webPages, root = packageRoot()): string {
  return join(root, 'dist', page);
}
