import { drained } from '../http/drained';
import type { ServerResponse } from 'node:http';
import { setImmediate as nextTurn } from 'node:timers/promises';
import type { Logger } from '../ops/logger';
import type { LegacyFailure } from './failure';
import { type GraphqlTask, type Spelling, toLegacyTask } from './shapes';

/** One page of the `taskPage` operation. */
export interface TaskPageData {
  tasks: { edges: { node: GraphqlTask }[]; pageInfo: { hasNextPage: boolean; endCursor: string | null } };
}

/**
 * The stream asks for pages of about this many characters of JSON: a few tasks when logs are
 * megabytes, a full page (maxPageSize) when they are small. The task service bounds pages by
 * 8 MB of logs for every caller; a streamed listing holds less (the page, its JSON per task, the
 * socket's queue, the next page fetched meanwhile), so at 1 MB logs it holds a few logs, not
 * several copies of 8 MB (bench scenario 11, bench/PROFILE.md).
 */
export const pageTargetChars = 2 * 1024 * 1024;
/** The next page is fetched while one of up to this many characters drains (a page of one huge task is not doubled). */
const prefetchBelowChars = 2 * pageTargetChars;
/** Small tasks go out in writes of about this many characters, each waiting for the client when it is behind. */
const sliceChars = 64 * 1024;

/** A page of up to `first` tasks after the cursor `after`. */
export type PageFetcher = (after: string | undefined, first: number) => Promise<TaskPageData>;

/**
 * How many tasks to ask for next, from the last page: as many as fit in pageTargetChars at that
 * page's characters per task, at least one and at most `maxPageSize`.
 */
export function nextPageSize(charsWritten: number, tasksWritten: number, maxPageSize: number): number {
  if (tasksWritten === 0 || charsWritten === 0) return maxPageSize;
  return Math.max(1, Math.min(maxPageSize, Math.floor(pageTargetChars / (charsWritten / tasksWritten))));
}

/**
 * Writes `{"tasks": [...]}` page by page, so a million tasks cost two pages of memory, not a
 * million objects. The first page is fetched before the headers, so a refusal (bad cursor,
 * database down) still gets its proper status; it is one task long, so the first byte leaves
 * after the first row and the next page is sized by what that row weighed. After that the 200 is
 * on the wire: a failure mid-stream is logged and the connection is cut, so the client sees a
 * broken response and never a truncated list that looks complete. Honours backpressure, gives
 * the event loop a turn between pages, and stops when the client goes away.
 */
export async function streamTaskList(
  res: ServerResponse,
  fetchPage: PageFetcher,
  after: string | undefined,
  spelling: Spelling,
  logger: Logger,
  maxPageSize: number,
): Promise<void> {
  let page = await fetchPage(after, 1);
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
    const tasks = edges.length;
    page = undefined as unknown as TaskPageData;
    const written = await writePage(res, edges, spelling, out, () => gone);
    if (!written) return;
    const first = nextPageSize(written.chars, tasks, maxPageSize);
    // Ask for the next page while the last of this one drains, unless this one was large: a
    // reader that stops reading then holds one page of tasks, not two.
    let next = cursor && written.chars <= prefetchBelowChars ? fetchPage(cursor, first) : undefined;
    next?.catch(() => undefined);
    if (written.backedUp) await drained(res);
    // A turn of the event loop between pages: on SQLite a page is read synchronously, and a fast
    // reader would otherwise hold the process for the whole list; a client gone meanwhile stops it.
    await nextTurn();
    if (gone) return;
    if (!cursor) break;
    next ??= fetchPage(cursor, first);
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
 * Writes one page's tasks as each one's JSON is made: small ones gathered into slices of about
 * `sliceChars`, a big one on its own (joined to a slice, a megabyte of JSON would be copied once
 * more when the joined string is flattened for the socket), waiting for the client between
 * writes when it is behind. Each task is let go once written, so a page of big logs is not held
 * twice (as objects and as JSON). Resolves undefined when the client went away; `backedUp`: the
 * last write is still buffered.
 */
async function writePage(
  res: ServerResponse,
  edges: (TaskPageData['tasks']['edges'][number] | undefined)[],
  spelling: Spelling,
  out: { separator: string },
  gone: () => boolean,
): Promise<{ chars: number; backedUp: boolean } | undefined> {
  let chars = 0;
  let slice = '';
  for (let i = 0; i < edges.length; i++) {
    const json = JSON.stringify(toLegacyTask(edges[i]!.node, spelling));
    edges[i] = undefined;
    slice += out.separator;
    out.separator = ',';
    const last = i === edges.length - 1;
    let flowing: boolean;
    if (json.length >= sliceChars) {
      // The small slice before it (under sliceChars) goes without waiting: two writes, one wait.
      if (slice) res.write(slice);
      chars += slice.length + json.length;
      slice = '';
      flowing = res.write(json);
    } else {
      slice += json;
      if (slice.length < sliceChars && !last) continue;
      chars += slice.length;
      flowing = res.write(slice);
      slice = '';
    }
    if (last) return { chars, backedUp: !flowing };
    if (!flowing) await drained(res);
    if (gone()) return undefined;
  }
  return { chars, backedUp: false };
}
