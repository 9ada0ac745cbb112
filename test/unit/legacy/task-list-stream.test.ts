import { EventEmitter } from 'node:events';
import type { ServerResponse } from 'node:http';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { type GraphqlTask, toLegacyTask } from '../../../src/legacy/shapes';
import { estimatedChars, nextPageSize, pageTargetChars, streamTaskList, type TaskPageData } from '../../../src/legacy/stream';
import type { Logger } from '../../../src/ops/logger';
import { TaskStatus } from '../../../src/tasks/task-status';

/** A response that keeps what was written and says "full" (write answers false) while `full` is set. */
class FakeResponse extends EventEmitter {
  chunks: string[] = [];
  full = false;
  ended = false;
  destroyed = false;
  headersSent = false;
  writeHead(): this {
    this.headersSent = true;
    return this;
  }
  write(chunk: string): boolean {
    this.chunks.push(chunk);
    return !this.full;
  }
  end(chunk?: string): this {
    if (chunk) this.chunks.push(chunk);
    this.ended = true;
    this.emit('finish');
    return this;
  }
  destroy(): this {
    this.destroyed = true;
    this.emit('close');
    return this;
  }
  get body(): string {
    return this.chunks.join('');
  }
}

const taskOf = (i: number, logChars: number): GraphqlTask => ({
  id: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
  description: `task ${i}`,
  status: TaskStatus.SUCCESS,
  stage: 'provisioned',
  type: 'create_instance',
  objectUuid: null,
  created: { at: '2026-11-01T10:00:00.000Z', by: 'tester' },
  lastUpdate: '2026-11-01T10:00:01.000Z',
  log: 'x'.repeat(logChars) + `\n"${i}"`,
  version: 1,
});

/** A list of tasks served in pages of the asked size, recording each `first` asked for. */
function pagesOf(tasks: GraphqlTask[]) {
  const asked: number[] = [];
  const fetchPage = async (after: string | undefined, first: number): Promise<TaskPageData> => {
    asked.push(first);
    const from = after === undefined ? 0 : Number(after);
    const page = tasks.slice(from, from + first);
    const end = from + page.length;
    return { tasks: { edges: page.map((node) => ({ node })), pageInfo: { hasNextPage: end < tasks.length, endCursor: String(end) } } };
  };
  return { asked, fetchPage };
}

const logger = { error: jest.fn() } as unknown as Logger;
const stream = (res: FakeResponse, fetchPage: (after: string | undefined, first: number) => Promise<TaskPageData>, maxPageSize = 100) =>
  streamTaskList(res as unknown as ServerResponse, fetchPage, undefined, 'legacy', logger, maxPageSize);

describe('sizing the pages of a streamed legacy listing', () => {
  it('asks for as many tasks as fit in the target at the last page\'s size per task', () => {
    expect(nextPageSize(1000, 10, 100)).toBe(100);
    expect(nextPageSize(3 * (pageTargetChars / 2), 3, 100)).toBe(2);
    expect(nextPageSize(pageTargetChars / 4, 1, 100)).toBe(4);
  });

  it('asks for one task at least, even when one task is bigger than the target', () => {
    expect(nextPageSize(8 * pageTargetChars, 1, 100)).toBe(1);
  });

  it('asks for a full page after an empty one', () => {
    expect(nextPageSize(0, 0, 50)).toBe(50);
  });

  it('weighs a page by its logs before writing it, the rest of each task included', () => {
    // Two tasks whose logs are a quarter of the target each: a little over a quarter a task, so three fit, not four.
    const page = [taskOf(0, pageTargetChars / 4), taskOf(1, pageTargetChars / 4)].map((node) => ({ node }));
    expect(estimatedChars(page)).toBeGreaterThan(pageTargetChars / 2);
    expect(nextPageSize(estimatedChars(page), page.length, 100)).toBe(3);
  });
});

describe('streaming the legacy list', () => {
  it('writes exactly the JSON of the whole list, asking first for one task and then for pages sized by their bytes', async () => {
    const big = Math.ceil(pageTargetChars * 0.75);
    const tasks = [...Array.from({ length: 3 }, (_, i) => taskOf(i, big)), ...Array.from({ length: 250 }, (_, i) => taskOf(3 + i, 10))];
    const { asked, fetchPage } = pagesOf(tasks);
    const res = new FakeResponse();
    await stream(res, fetchPage);
    expect(res.body).toBe(JSON.stringify({ tasks: tasks.map((task) => toLegacyTask(task)) }));
    expect(res.ended).toBe(true);
    // One task first, then one big task a page while each weighs most of the target, then full pages of small ones.
    expect(asked.slice(0, 3)).toEqual([1, 1, 1]);
    expect(asked.slice(-2)).toEqual([100, 100]);
  });

  it('writes a big log in pieces as its task comes, waits for the client between them, and meanwhile asks for the next page', async () => {
    const tasks = Array.from({ length: 4 }, (_, i) => taskOf(i, 512 * 1024));
    const { asked, fetchPage } = pagesOf(tasks);
    const res = new FakeResponse();
    res.full = true;
    const done = stream(res, fetchPage, 4);
    for (let i = 0; i < 5; i++) await nextTurn();
    // The opening, the first task up to its log, and the log's first piece, then nothing while the client is behind; the database reads the second page meanwhile.
    expect(res.chunks).toHaveLength(3);
    expect(res.chunks[2].length).toBeLessThan(128 * 1024);
    expect(asked).toHaveLength(2);
    res.full = false;
    res.emit('drain');
    await done;
    expect(res.body).toBe(JSON.stringify({ tasks: tasks.map((task) => toLegacyTask(task)) }));
  });

  it('writes a big log exactly as JSON.stringify would, whatever falls on the edge of a piece', async () => {
    const edge = 64 * 1024;
    const pair = '\u{1F600}';
    // A surrogate pair across a piece's edge, quotes, backslashes, control characters, a lone surrogate and non-ASCII text.
    const log = `${'a'.repeat(edge - 1)}${pair}${'"\\\n\u0001é'.repeat(20_000)}\ud800${'ü'.repeat(edge)}${pair}`;
    const tasks = [{ ...taskOf(0, 0), log, description: 'says "log":null' }, taskOf(1, 10), { ...taskOf(2, 0), log: 'x'.repeat(edge * 2) }];
    const { fetchPage } = pagesOf(tasks);
    const res = new FakeResponse();
    await stream(res, fetchPage);
    expect(res.body).toBe(JSON.stringify({ tasks: tasks.map((task) => toLegacyTask(task)) }));
    // No write holds a whole log.
    expect(Math.max(...res.chunks.map((chunk) => chunk.length))).toBeLessThan(4 * edge);
  });

  it('stops reading pages and writing once the client goes away', async () => {
    const tasks = Array.from({ length: 20 }, (_, i) => taskOf(i, 1024 * 1024));
    const { asked, fetchPage } = pagesOf(tasks);
    const res = new FakeResponse();
    res.full = true;
    const done = stream(res, fetchPage);
    for (let i = 0; i < 5; i++) await nextTurn();
    res.emit('close');
    await done;
    expect(asked.length).toBeLessThanOrEqual(2);
    expect(res.chunks.length).toBeLessThanOrEqual(3);
    expect(res.ended).toBe(false);
  });

  it('cuts the response when a later page fails, so a broken list never looks complete', async () => {
    const tasks = Array.from({ length: 3 }, (_, i) => taskOf(i, 10));
    const { fetchPage } = pagesOf(tasks);
    const res = new FakeResponse();
    let calls = 0;
    await stream(res, async (after, first) => {
      if (++calls === 2) throw Object.assign(new Error('database down'), { status: 503 });
      return fetchPage(after, first);
    });
    expect(res.destroyed).toBe(true);
    expect(res.ended).toBe(false);
  });
});
