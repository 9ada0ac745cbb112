import type { ServerResponse } from 'node:http';
import { setImmediate as nextTurn } from 'node:timers/promises';
import type { Logger } from '../ops/logger';
import type { LegacyFailure } from './failure';
import { type GraphqlTask, type Spelling, toLegacyTask } from './shapes';

/** One page of the `taskPage` operation. */
export interface TaskPageData {
  tasks: { edges: { node: GraphqlTask }[]; pageInfo: { hasNextPage: boolean; endCursor: string | null } };
}

export type PageFetcher = (after: string | undefined) => Promise<TaskPageData>;

/**
 * Writes `{"tasks": [...]}` page by page, so a million tasks cost two pages of memory, not a
 * million objects. The first page is fetched before the headers, so a refusal (bad cursor,
 * database down) still gets its proper status. After that the 200 is on the wire: a failure
 * mid-stream is logged and the connection is cut, so the client sees a broken response and
 * never a truncated list that looks complete. Honours backpressure, gives the event loop a turn
 * between pages, and stops when the client goes away.
 */
export async function streamTaskList(res: ServerResponse, fetchPage: PageFetcher, after: string | undefined, spelling: Spelling, logger: Logger): Promise<void> {
  let page = await fetchPage(after);
  let gone = false;
  res.once('close', () => {
    gone = true;
  });
  res.writeHead(200, { 'content-type': 'application/json; charset=utf-8' });
  res.write('{"tasks":[');
  let separator = '';
  for (;;) {
    const { edges, pageInfo } = page.tasks;
    // Ask for the next page while this one is written out: at most two pages are held.
    const next = pageInfo.hasNextPage && pageInfo.endCursor ? fetchPage(pageInfo.endCursor) : undefined;
    next?.catch(() => undefined);
    if (edges.length > 0) {
      const chunk = separator + edges.map((edge) => JSON.stringify(toLegacyTask(edge.node, spelling))).join(',');
      separator = ',';
      if (!res.write(chunk)) await drained(res);
    }
    // A turn of the event loop between pages: on SQLite a page is read synchronously, and a fast
    // reader would otherwise hold the process for the whole list; a client gone meanwhile stops it.
    await nextTurn();
    if (gone) return;
    if (!next) break;
    try {
      page = await next;
    } catch (error) {
      const failure = error as LegacyFailure;
      logger.error({ err: error, status: failure.status }, 'legacy task listing failed mid-stream; cutting the response');
      res.destroy();
      return;
    }
    if (gone) return;
  }
  res.end(']}');
}

function drained(res: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      res.off('drain', done);
      res.off('close', done);
      resolve();
    };
    res.on('drain', done);
    res.on('close', done);
  });
}
