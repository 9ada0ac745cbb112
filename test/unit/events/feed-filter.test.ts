import { decodeFeedEvent, encodeFeedEvent, matches } from '../../../src/events/feed-event';
import { TaskStatus } from '../../../src/tasks/task-status';
import { TaskEventKind } from '../../../src/tasks/task-event.entity';
import { feedEvent } from '../fakes/event-store';

describe('which events a feed filter lets through', () => {
  const created = feedEvent(1, { kind: TaskEventKind.CREATED, previousStatus: null, previousStage: null, status: TaskStatus.PENDING, stage: 'pending' });
  const logOnly = feedEvent(2, { previousStatus: TaskStatus.IN_PROGRESS, status: TaskStatus.IN_PROGRESS, previousStage: 'in progress', stage: 'in progress' });
  const failed = feedEvent(3, { previousStatus: TaskStatus.IN_PROGRESS, status: TaskStatus.FAILED, taskType: 'backup' });

  it('counts a creation as a status change and a log-only update as none', () => {
    const changes = { statusChangesOnly: true };
    expect([created, logOnly, failed].filter((e) => matches(changes, e)).map((e) => e.seq)).toEqual([1, 3]);
    expect([created, logOnly, failed].filter((e) => matches({ statusChangesOnly: false }, e)).map((e) => e.seq)).toEqual([1, 2, 3]);
  });

  it('combines task, status and type with AND', () => {
    expect(matches({ statusChangesOnly: false, status: TaskStatus.FAILED, type: 'backup' }, failed)).toBe(true);
    expect(matches({ statusChangesOnly: false, status: TaskStatus.FAILED, type: 'restore' }, failed)).toBe(false);
    expect(matches({ statusChangesOnly: false, taskUuid: failed.taskUuid, status: TaskStatus.PENDING }, failed)).toBe(false);
    expect(matches({ statusChangesOnly: false, taskUuid: '00000000-0000-4000-8000-000000000000' }, failed)).toBe(false);
  });

  it('does not take a task without a type for one with type null asked by name', () => {
    expect(matches({ statusChangesOnly: false, type: 'null' }, feedEvent(4, { taskType: null }))).toBe(false);
  });
});

describe('events between instances (the Redis message)', () => {
  it('come back exactly as they were sent', () => {
    const event = feedEvent(42, { log: 'line one\nline "two" é', previousStatus: null });
    expect(decodeFeedEvent(encodeFeedEvent(event))).toEqual(event);
  });

  it.each([
    ['text that is not JSON', '{'],
    ['an id that is not a number', JSON.stringify({ id: 'abc', taskUuid: 'x' })],
    ['a numeric id (ids travel as strings)', JSON.stringify({ id: 7, taskUuid: 'x' })],
    ['no task', JSON.stringify({ id: '7' })],
    ['JSON null', 'null'],
  ])('are dropped when they carry %s, instead of crashing the feed', (_what, text) => {
    expect(decodeFeedEvent(text)).toBeNull();
  });
});
