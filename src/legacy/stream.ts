import type { ServerResponse } from 'node:http';
import { setImmediate as nextTurn } from 'node:timers/promises';
import type { Logger } from '../ops/logger';
import type { LegacyFailure } from './failure';
import { type GraphqlTask, type Spelling, toLegacyTask } from './shapes';

/** One page of the `taskPage` operation. */
export interface TaskPageData {
  tasks: { edges: { node: GraphqlTask }[]; pageInfo: { hasNextPage: boolean; endCursor: string | null } };
}

/** After a page of up to this many characters of JSON, the next is fetched while it drains. */
const prefetchBelowChars = 1024 * 1024;
/** A page goes out in writes of about this many characters, each waiting for the client when it is behind. */
const sliceChars = 64 * 1024;

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
  const out = { separator: '' };
  for (;;) {
    const { hasNextPage, endCursor } = page.tasks.pageInfo;
    const cursor = hasNextPage && endCursor ? endCursor : undefined;
    const edges = page.tasks.edges;
    page = undefined as unknown as TaskPageData;
    const written = await writePage(res, edges, spelling, out, () => gone);
    if (!written) return;
    // Ask for the next page while the last of this one drains, unless this one was large: a
    // reader that stops reading then holds one page of tasks, not two.
    let next = cursor && written.chars <= prefetchBelowChars ? fetchPage(cursor) : undefined;
    next?.catch(() => undefined);
    if (written.backedUp) await drained(res);
    // A turn of the event loop between pages: on SQLite a page is read synchronously, and a fast
    // reader would otherwise hold the process for the whole list; a client gone meanwhile stops it.
    await nextTurn();
    if (gone) return;
    if (!cursor) break;
    next ??= fetchPage(cursor);
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

/**
 * Writes one page's tasks in slices of about `sliceChars`, waiting for the client between slices
 * when it is behind, so the page is never held twice (as objects and as one large string).
 * Resolves undefined when the client went away; `backedUp`: the last slice is still buffered.
 */
async function writePage(
  res: ServerResponse,
  edges: TaskPageData['tasks']['edges'],
  spelling: Spelling,
  out: { separator: string },
  gone: () => boolean,
): Promise<{ chars: number; backedUp: boolean } | undefined> {
  let chars = 0;
  let slice = '';
  for (let i = 0; i < edges.length; i++) {
    slice += out.separator + JSON.stringify(toLegacyTask(edges[i].node, spelling));
    out.separator = ',';
    if (slice.length < sliceChars && i < edges.length - 1) continue;
    chars += slice.length;
    const flowing = res.write(slice);
    slice = '';
    if (i === edges.length - 1) return { chars, backedUp: !flowing };
    if (!flowing) await drained(res);
    if (gone()) return undefined;
  }
  return { chars, backedUp: false };
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
