import { canTransition, initialStatuses, isTaskStatus, TaskStatus } from '../../../src/tasks/task-status';

const { PENDING, IN_PROGRESS, SUCCESS, FAILED } = TaskStatus;
const all = [PENDING, IN_PROGRESS, SUCCESS, FAILED];

describe('the task state machine', () => {
  // Every pair, so a change to the table shows up here as one named row.
  const allowed: [TaskStatus, TaskStatus][] = [
    [PENDING, IN_PROGRESS],
    [PENDING, FAILED],
    [IN_PROGRESS, SUCCESS],
    [IN_PROGRESS, FAILED],
  ];
  const pairs = all.flatMap((from) => all.map((to) => [from, to] as const)).filter(([from, to]) => from !== to);

  it.each(pairs)('%s -> %s is allowed exactly when the table says so', (from, to) => {
    expect(canTransition(from, to)).toBe(allowed.some(([a, b]) => a === from && b === to));
  });

  it.each(all)('lets a %s task stay where it is (a log-only update)', (status) => {
    expect(canTransition(status, status)).toBe(true);
  });

  it('treats SUCCESS and FAILED as final: nothing leads out of them', () => {
    for (const final of [SUCCESS, FAILED]) for (const to of all.filter((s) => s !== final)) expect(canTransition(final, to)).toBe(false);
  });

  it('never lets a task go back to PENDING', () => {
    for (const from of all.filter((s) => s !== PENDING)) expect(canTransition(from, PENDING)).toBe(false);
  });

  it('lets a task be created only as PENDING or IN_PROGRESS', () => {
    expect([...initialStatuses].sort()).toEqual([IN_PROGRESS, PENDING]);
  });
});

describe('recognising a status value', () => {
  it.each(all)('accepts %s', (status) => expect(isTaskStatus(status)).toBe(true));

  it.each([['pending'], ['DONE'], [''], ['toString'], ['__proto__'], [3], [null], [undefined], [{}]])('rejects %p', (value) => {
    expect(isTaskStatus(value)).toBe(false);
  });
});
