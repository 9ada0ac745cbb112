import type { HttpRoute } from '../http/router';
import { webDir, webPages } from '../web/assets';
import { staticPageRoute } from '../web/static-route';

/** The live task board: GET /board is the page, /board/<file> its assets. */
export function boardRoute(dir = webDir('board')): HttpRoute {
  return staticPageRoute('board', webPages.board, dir);
}
