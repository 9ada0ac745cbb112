import type { HttpRoute } from '../http/router';
import { webDir, webPages } from '../web/assets';
import { staticPageRoute } from '../web/static-route';

/** The offline GraphQL playground: GET /playground is the page, /playground/<file> its assets. */
export function playgroundRoute(dir = webDir('playground')): HttpRoute {
  return staticPageRoute('playground', webPages.playground, dir);
}
