import { drained } from '../http/drained';
import type { ServerResponse } from 'node:http';
import { setImmediate as nextTurn } from 'node:timers/promises';
import type { Logger } from '../ops/logger';
import type { LegacyFailure } from './failure';
import { type GraphqlTask, type LegacyTask, type Spelling, toLegacyTask } from './shapes';

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
/** Small tasks, and a big log's pieces, go out in writes of about this many characters, each waiting for the client when it is behind. */
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
 * `sliceChars`, a big log (sliceChars or more) in escaped pieces of about sliceChars between its
 * task's head and tail, waiting for the client between writes when it is behind. A 1 MB log made
 * into one JSON string, and that string into one socket buffer, would put two more megabyte
 * objects in the heap per task, which the garbage collector only gives back in a full collection.
 * Each task is let go once written, so a page of big logs is not held twice (as objects and as
 * JSON). Resolves undefined when the client went away; `backedUp`: the last write is still buffered.
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
    const task = toLegacyTask(edges[i]!.node, spelling);
    edges[i] = undefined;
    slice += out.separator;
    out.separator = ',';
    const last = i === edges.length - 1;
    const log = task.log;
    if (log !== null && log.length >= sliceChars) {
      const [head, tail] = aroundLog(task);
      // The small slice before it goes without waiting: its pieces wait.
      res.write(slice + head);
      if (!(await writeLogPieces(res, log, gone))) return undefined;
      slice = tail;
    } else {
      slice += JSON.stringify(task);
    }
    if (slice.length < sliceChars && !last) continue;
    const flowing = res.write(slice);
    slice = '';
    if (last) return { backedUp: !flowing };
    if (!flowing) await drained(res);
    if (gone()) return undefined;
  }
  return { backedUp: false };
}

/** A task's JSON before its log's first character (the opening quote included) and after its last (the closing quote included). */
function aroundLog(task: LegacyTask): [string, string] {
  const json = JSON.stringify({ ...task, log: null });
  // `version`, a number, is the only key after `log`, so the last `"log":null` is the key's.
  const at = json.lastIndexOf('"log":null') + '"log":'.length;
  return [`${json.slice(0, at)}"`, `"${json.slice(at + 'null'.length)}`];
}

/**
 * A log's JSON without its quotes, in pieces of about sliceChars characters, each escaped as
 * JSON.stringify escapes the whole (a surrogate pair is never split, or each half would be
 * escaped alone), waiting for the client when it is behind. False when the client went away.
 */
async function writeLogPieces(res: ServerResponse, log: string, gone: () => boolean): Promise<boolean> {
  for (let from = 0; from < log.length; ) {
    let to = Math.min(log.length, from + sliceChars);
    const code = log.charCodeAt(to - 1);
    if (to < log.length && code >= 0xd800 && code <= 0xdbff) to++;
    const piece = JSON.stringify(log.slice(from, to));
    from = to;
    if (!res.write(piece.slice(1, -1))) await drained(res);
    if (gone()) return false;
  }
  return true;
}
