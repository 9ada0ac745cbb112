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
 * megabytes, a full page (maxPageSize) when they are small; as much as the task service lets
 * any page carry (8 MB of logs). Each page costs two round trips (the tasks, then their big logs
 * in one query), so at 1 MB logs smaller pages stream slower: 2 MB pages ran at 0.49x the floor,
 * 4 MB at 0.67x, 8 MB at 0.83x (bench scenario 11, bench/PROFILE.md). Two pages at most are held.
 */
export const pageTargetChars = 8 * 1024 * 1024;
/** Small tasks go out in writes of about this many characters, each waiting for the client when it is behind. */
const sliceChars = 64 * 1024;

/** A page of up to `first` tasks after the cursor `after`. */
export type PageFetcher = (after: string | undefined, first: number) => Promise<TaskPageData>;

/**
 * How many tasks to ask for next, from a page of `chars` characters of JSON and `tasks` tasks: as
 * many as fit in pageTargetChars at that size per task, at least one and at most `maxPageSize`.
 */
export function nextPageSize(chars: number, tasks: number, maxPageSize: number): number {
  if (tasks === 0 || chars === 0) return maxPageSize;
  return Math.max(1, Math.min(maxPageSize, Math.floor(pageTargetChars / (chars / tasks))));
}

/** Characters of JSON a page's tasks will make, near enough to size the next page: their logs, and a few hundred for the rest of each. */
export function estimatedChars(edges: readonly { node: GraphqlTask }[]): number {
  let chars = 0;
  for (const { node } of edges) chars += (node.log?.length ?? 0) + 300;
  return chars;
}

/**
 * Writes `{"tasks": [...]}` page by page, so a million tasks cost two pages of memory, not a
 * million objects. The first page is fetched before the headers, so a refusal (bad cursor,
 * database down) still gets its proper status; it is one task long, so the first byte leaves
 * after the first row. Each next page is asked for before the one in hand is written, sized by
 * what that one weighs: the database reads it while the client takes this one (as a single
 * streamed query overlaps them), and two pages at most are held. After the headers the 200 is
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
    page = undefined as unknown as TaskPageData;
    const next = cursor ? fetchPage(cursor, nextPageSize(estimatedChars(edges), edges.length, maxPageSize)) : undefined;
    // Met below, or never when the client went away first: not an unhandled rejection.
    next?.catch(() => undefined);
    const written = await writePage(res, edges, spelling, out, () => gone);
    if (!written) return;
    if (written.backedUp) await drained(res);
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
): Promise<{ backedUp: boolean } | undefined> {
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
      slice = '';
      flowing = res.write(json);
    } else {
      slice += json;
      if (slice.length < sliceChars && !last) continue;
      flowing = res.write(slice);
      slice = '';
    }
    if (last) return { backedUp: !flowing };
    if (!flowing) await drained(res);
    if (gone()) return undefined;
  }
  return { backedUp: false };
}
