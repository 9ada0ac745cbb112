import { decodeCursor, encodeCursor } from '../../../src/tasks/task.connection';
import type { Task } from '../../../src/tasks/task.entity';

/** Only what a cursor reads: the creation time and the uuid. */
const taskAt = (iso: string, uuid: string) => ({ uuid, created: { at: new Date(iso), by: 'someone' } }) as unknown as Task;
const uuid = '3f2504e0-4f89-41d3-9a0c-0305e82c3301';
const cursorOf = (text: string) => Buffer.from(text).toString('base64url');

describe('listing cursors', () => {
  it('gives a cursor back as the position it was made from, to the millisecond', () => {
    const at = '2026-11-27T16:00:00.123Z';
    expect(decodeCursor(encodeCursor(taskAt(at, uuid)))).toEqual({ createdAt: new Date(at), uuid });
  });

  it('keeps two tasks created in the same millisecond apart by their uuid', () => {
    const at = '2026-01-01T00:00:00.000Z';
    const other = 'ffffffff-4f89-41d3-9a0c-0305e82c3301';
    expect(encodeCursor(taskAt(at, uuid))).not.toBe(encodeCursor(taskAt(at, other)));
    expect(decodeCursor(encodeCursor(taskAt(at, other))).uuid).toBe(other);
  });

  it('is opaque and safe in a URL: base64url, no padding, no +, / or =', () => {
    const cursor = encodeCursor(taskAt('2026-11-27T16:00:00.999Z', uuid));
    expect(cursor).toMatch(/^[A-Za-z0-9_-]+$/);
  });

  it.each([
    ['an empty string', ''],
    ['text that is not base64 of anything we wrote', 'not a cursor'],
    ['a position without a uuid', cursorOf('2026-11-27 16:00:00.000|')],
    ['a position without a time', cursorOf(`|${uuid}`)],
    ['a time that is no time', cursorOf(`yesterday|${uuid}`)],
    ['a uuid that is not a uuid', cursorOf('2026-11-27 16:00:00.000|not-a-uuid')],
    ['an upper-case uuid (we never give one out)', cursorOf(`2026-11-27 16:00:00.000|${uuid.toUpperCase()}`)],
    ['a uuid with SQL after it', cursorOf(`2026-11-27 16:00:00.000|${uuid}' OR 1=1 --`)],
  ])('refuses %s, naming the argument to fix', (_what, cursor) => {
    expect(() => decodeCursor(cursor)).toThrow('after: is not a cursor this server gave out');
  });
});
