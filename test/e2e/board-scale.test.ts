import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { TaskStatus } from '../../src/tasks/task-status';
import { type Browser, describeBrowser, launchBrowser, repoRoot } from '../helpers/browser';
import { startServer, type TestServer, testKeys } from '../helpers/server';
import { eventually } from '../helpers/ws-client';

/** The board's globals as code in the page sees them (the tests compile without DOM types). */
interface BoardGlobals {
  taskgateBoard: {
    stats: { loads: number; events: number };
    columnIds(status: string, shownOnly?: boolean): string[];
    taskStatus(id: string): string | null;
    reveal(id: string): boolean;
  };
  document: { querySelector(selector: string): { textContent: string | null } | null };
}

const statuses = ['PENDING', 'IN_PROGRESS', 'SUCCESS', 'FAILED'] as const;
const types = ['create_instance', 'backup', 'resize_volume', 'provision'];
const total = 10_000;
const shots = join(repoRoot, 'test-output');

describeBrowser('task board at 10,000 tasks')('the task board with 10,000 tasks in Chromium', () => {
  let server: TestServer;
  let browser: Browser;
  let page: Page;

  /** Every task the server has, by id: its status, as GraphQL lists it. */
  async function truth(): Promise<Map<string, string>> {
    const all = new Map<string, string>();
    let after: string | null = null;
    do {
      const result: any = await server.gql('query($after: String) { tasks(first: 200, after: $after) { edges { node { id status } } pageInfo { hasNextPage endCursor } } }', { after });
      for (const edge of result.data.tasks.edges) all.set(edge.node.id, edge.node.status);
      after = result.data.tasks.pageInfo.hasNextPage ? result.data.tasks.pageInfo.endCursor : null;
    } while (after);
    return all;
  }

  async function text(selector: string): Promise<string> {
    return page.evaluate((s) => (globalThis as unknown as BoardGlobals).document.querySelector(s)?.textContent ?? '', selector);
  }

  /** The cards a column has on screen, top to bottom: id and the status they are drawn with. */
  async function drawnCards(status: string): Promise<{ id: string; status: string }[]> {
    return page.$$eval(`.column[data-status="${status}"] .card`, (cards) =>
      cards
        .map((card) => ({ id: (card as any).dataset.id as string, status: (card as any).dataset.status as string, top: parseFloat((card as any).style.top) }))
        .sort((a, b) => a.top - b.top)
        .map(({ id, status: s }) => ({ id, status: s })),
    );
  }

  /** Each column's count badge says exactly how many tasks the server has in that status. */
  async function expectExactCounts(): Promise<void> {
    const expected = await truth();
    for (const status of statuses) {
      const n = [...expected.values()].filter((s) => s === status).length;
      await eventually(async () => (await text(`.column[data-status="${status}"] .count`)) === n.toLocaleString('en-US'), `${status} count ${n}`);
    }
  }

  beforeAll(async () => {
    server = await startServer('sqlite');
    // Created through the app's task service (fast); the board sees them as any client would.
    for (let i = 0; i < total; i++) {
      const kind = i % 4;
      const type = types[(i >> 2) % types.length];
      const created = await server.app.tasks.createTask(
        { description: `Task number ${i} for host-${i % 97}`, type, status: kind === 0 || kind === 3 ? TaskStatus.PENDING : TaskStatus.IN_PROGRESS },
        'seed',
      );
      if (kind === 2) await server.app.tasks.updateTask(created.task.uuid, { status: TaskStatus.SUCCESS, log: 'done' }, 'seed');
      if (kind === 3) await server.app.tasks.updateTask(created.task.uuid, { status: TaskStatus.FAILED, log: 'no capacity' }, 'seed');
    }
    browser = await launchBrowser();
    page = browser.page;
    mkdirSync(shots, { recursive: true });
  }, 300_000);
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('loads all 10,000 tasks, each in the column of its status, with exact counts', async () => {
    await page.goto(`${server.baseUrl}/board`);
    await page.fill('#key-user', testKeys.reader.user);
    await page.fill('#key-secret', testKeys.reader.secret);
    // The unsigned load before the key was pasted was refused (401), as it should be.
    browser.consoleErrors.length = 0;
    await page.click('#key-use');
    await page.waitForSelector('#connection[data-state="live"]', { timeout: 120_000 });
    const expected = await truth();
    expect(expected.size).toBe(total);
    for (const status of statuses) {
      const ids = await page.evaluate((s) => (globalThis as unknown as BoardGlobals).taskgateBoard.columnIds(s), status);
      const wanted = [...expected].filter(([, s]) => s === status).map(([id]) => id);
      expect(new Set(ids)).toEqual(new Set(wanted));
      expect(ids).toHaveLength(wanted.length);
      expect(await text(`.column[data-status="${status}"] .count`)).toBe(wanted.length.toLocaleString('en-US'));
    }
    expect(await text('#summary')).toBe('10,000 tasks');
    await page.screenshot({ path: join(shots, 'board-10k-loaded.png') });
  });

  it('draws only the cards a column shows, in order and in the right column, at the top and at the bottom', async () => {
    for (const status of statuses) {
      const ids = await page.evaluate((s) => (globalThis as unknown as BoardGlobals).taskgateBoard.columnIds(s), status);
      const top = await drawnCards(status);
      expect(top.length).toBeGreaterThan(0);
      expect(top.length).toBeLessThan(60);
      expect(top.map((c) => c.id)).toEqual(ids.slice(0, top.length));
      expect(top.every((c) => c.status === status)).toBe(true);
      // The last card of the column, scrolled to, is drawn at the end of the list.
      await page.evaluate((id) => (globalThis as unknown as BoardGlobals).taskgateBoard.reveal(id), ids[ids.length - 1]);
      await page.waitForSelector(`.column[data-status="${status}"] .card[data-id="${ids[ids.length - 1]}"]`);
      const bottom = await drawnCards(status);
      const from = ids.indexOf(bottom[0].id);
      expect(bottom.map((c) => c.id)).toEqual(ids.slice(from, from + bottom.length));
      expect(bottom.every((c) => c.status === status)).toBe(true);
    }
  });

  it('moves cards and keeps the counts exact while tasks change live', async () => {
    const pending = await page.evaluate(() => (globalThis as unknown as BoardGlobals).taskgateBoard.columnIds('PENDING').slice(0, 30));
    for (const id of pending.slice(0, 20)) await server.request('PUT', `/tasks/${id}`, { body: { status: 'in progress', log: 'picked up' } });
    for (const id of pending.slice(20, 30)) await server.request('PUT', `/tasks/${id}`, { body: { status: 'failed', log: 'refused' } });
    const created: string[] = [];
    for (let i = 0; i < 5; i++) created.push((await server.request('POST', '/tasks', { body: { description: `Live task ${i}`, type: 'backup' } })).body.task_id);
    await eventually(async () => (await page.evaluate((id) => (globalThis as unknown as BoardGlobals).taskgateBoard.taskStatus(id), created[4])) === 'PENDING', 'the last new task on the board');
    for (const id of pending.slice(0, 20)) expect(await page.evaluate((i) => (globalThis as unknown as BoardGlobals).taskgateBoard.taskStatus(i), id)).toBe('IN_PROGRESS');
    // A moved task is drawn at the top of its new column (newest change first).
    const movedLast = pending[19];
    await page.evaluate(() => {
      for (const s of ['PENDING', 'IN_PROGRESS', 'SUCCESS', 'FAILED']) (globalThis as any).document.querySelector(`.column[data-status="${s}"] .cards`).scrollTop = 0;
    });
    await page.waitForSelector(`.column[data-status="IN_PROGRESS"] .card[data-id="${movedLast}"]`);
    expect(await page.$$eval(`.card[data-id="${movedLast}"]`, (cards) => cards.length)).toBe(1);
    await expectExactCounts();
  });

  it('shows each task’s status word as its writer wrote it, and drops the card of a deleted task', async () => {
    const id = (await server.request('POST', '/tasks', { body: { description: 'Docker plugin run', type: 'create_instance' } })).body.task_id;
    await server.request('PUT', `/tasks/${id}`, { body: { status: 'provisioning', log: 'running the provisioner' } });
    await page.waitForSelector(`.column[data-status="IN_PROGRESS"] .card[data-id="${id}"]`, { timeout: 20_000 });
    expect(await text(`.card[data-id="${id}"] .stage`)).toBe('provisioning');
    const gone = await page.evaluate(() => (globalThis as unknown as BoardGlobals).taskgateBoard.columnIds('FAILED')[0]);
    expect((await server.request('DELETE', `/tasks/${gone}`)).status).toBe(200);
    await page.waitForSelector(`.card[data-id="${gone}"]`, { state: 'detached', timeout: 20_000 });
    expect(await page.evaluate((i) => (globalThis as unknown as BoardGlobals).taskgateBoard.taskStatus(i), gone)).toBeNull();
    await expectExactCounts();
  });

  it('finds a task by words of its description, by its type and by its status word', async () => {
    const target = await server.app.tasks.createTask({ description: 'Rotate certificates on gateway-zeta', type: 'rotate_certs' }, 'seed');
    const id = target.task.uuid;
    await eventually(async () => (await page.evaluate((i) => (globalThis as unknown as BoardGlobals).taskgateBoard.taskStatus(i), id)) === 'PENDING', 'the new task on the board');
    await page.fill('#search', 'certificates on GATEWAY-ZETA');
    await page.waitForFunction(() => (globalThis as any).document.querySelectorAll('.card').length === 1, undefined, { timeout: 20_000 });
    expect(await page.$$eval('.card', (cards) => cards.map((c) => (c as any).dataset.id))).toEqual([id]);
    expect(await text('.column[data-status="PENDING"] .count')).toMatch(/^1 of [\d,]+$/);
    expect(await text('.column[data-status="FAILED"] .empty')).toBe('No matching tasks');
    expect(await text('#summary')).toBe(`1 of ${(total + 6).toLocaleString('en-US')} tasks match`); // 10,000 + 5 live + 1 word - 1 deleted + this one
    await page.screenshot({ path: join(shots, 'board-10k-search.png') });

    // By type: the search box matches the type, and the type filter shows only that type.
    await page.fill('#search', 'rotate_certs');
    await page.waitForFunction(() => (globalThis as any).document.querySelectorAll('.card').length === 1, undefined, { timeout: 20_000 });
    await page.fill('#search', '');
    await page.selectOption('#type-filter', 'backup');
    const expected = await truth();
    await eventually(async () => {
      for (const status of statuses) {
        const shown = await page.evaluate((s) => (globalThis as unknown as BoardGlobals).taskgateBoard.columnIds(s, true), status);
        if (shown.length === 0) return false;
        const count = await text(`.column[data-status="${status}"] .count`);
        if (!count.startsWith(`${shown.length.toLocaleString('en-US')} of `)) return false;
      }
      return true;
    }, 'every column filtered to backups');
    for (const status of statuses) {
      const drawn = await drawnCards(status);
      expect(drawn.length).toBeGreaterThan(0);
      for (const card of drawn) expect(expected.get(card.id)).toBe(status);
    }
    const backupsOnScreen = await page.$$eval('.card .type', (spans) => [...new Set(spans.map((s) => s.textContent))]);
    expect(backupsOnScreen).toEqual(['backup']);
    await page.selectOption('#type-filter', '');

    // By status word: "failed" finds the failed tasks (and only words that contain it).
    await page.fill('#search', 'failed');
    await eventually(async () => /^([\d,]+) of \1$/.test(await text('.column[data-status="FAILED"] .count')), 'every failed task matches "failed"');
    expect(await text('.column[data-status="SUCCESS"] .count')).toMatch(/^0 of /);
    await page.fill('#search', '');
    await page.waitForFunction(() => !(globalThis as any).document.querySelector('.column[data-status="SUCCESS"] .count').textContent.includes(' of '), undefined, { timeout: 20_000 });
  });

  it('shows a task’s history from its card', async () => {
    const id = await page.evaluate(() => (globalThis as unknown as BoardGlobals).taskgateBoard.columnIds('FAILED')[0]);
    await page.click(`.column[data-status="FAILED"] .card[data-id="${id}"]`);
    await page.waitForSelector('#details:not([hidden]) #history li:nth-child(2)', { timeout: 20_000 });
    const history = await page.$$eval('#history li', (items) => items.map((li) => li.textContent ?? ''));
    expect(history[history.length - 1]).toMatch(/→ failed/);
    await page.screenshot({ path: join(shots, 'board-10k-history.png') });
    expect(browser.consoleErrors).toEqual([]);
  });
});
