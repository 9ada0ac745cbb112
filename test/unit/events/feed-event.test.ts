import { decodeFeedEvent, encodeFeedEvent, isLogOnly, matches, toFeedEvent } from '../../../src/events/feed-event';
import { TaskEventKind } from '../../../src/tasks/task-event.entity';
import { TaskStatus } from '../../../src/tasks/task-status';
import type { TaskEvent } from '../../../src/tasks/task-event.entity';

const event = (over: Partial<TaskEvent> = {}): TaskEvent => ({
  id: '42',
  taskUuid: '6f1c3a2e-4b5d-4e6f-8a9b-0c1d2e3f4a5b',
  kind: TaskEventKind.UPDATED,
  version: 3,
  status: TaskStatus.IN_PROGRESS,
  previousStatus: TaskStatus.IN_PROGRESS,
  stage: 'provisioning',
  previousStage: 'creating',
  log: 'short',
  at: new Date('2026-11-27T16:00:00.123Z'),
  by: 'agent',
  ...over,
});

describe('feed events', () => {
  it('carry a small log along, and leave a big one in the database for whoever selects it', () => {
    expect(toFeedEvent(event(), null)).toMatchObject({ log: 'short', seq: 42 });
    const big = toFeedEvent(event({ log: 'x'.repeat(5 * 1024 * 1024) }), 'create_container');
    expect(big).toMatchObject({ log: null, logDeferred: true, taskType: 'create_container' });
  });

  it('cross between instances without the big log, and come back deferred', () => {
    const big = toFeedEvent(event({ log: 'y'.repeat(200_000) }), null);
    const wire = encodeFeedEvent(big);
    expect(wire.length).toBeLessThan(1000);
    expect(decodeFeedEvent(wire)).toEqual({ ...big });
    const small = toFeedEvent(event({ kind: TaskEventKind.DELETED }), null);
    expect(decodeFeedEvent(encodeFeedEvent(small))).toEqual(small);
  });

  it('count a change of word within a phase as a status change, and only a log-only update as not one', () => {
    expect(isLogOnly(event())).toBe(false);
    expect(isLogOnly(event({ previousStage: 'provisioning' }))).toBe(true);
    expect(isLogOnly(event({ kind: TaskEventKind.DELETED, previousStage: 'provisioning' }))).toBe(false);
    expect(matches({ statusChangesOnly: true, stage: 'provisioning' }, toFeedEvent(event(), null))).toBe(true);
    expect(matches({ statusChangesOnly: false, stage: 'created' }, toFeedEvent(event(), null))).toBe(false);
  });
});
