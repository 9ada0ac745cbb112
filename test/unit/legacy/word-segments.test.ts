import { isWordSegment } from '../../../src/legacy/resources';
import { wordFilter } from '../../../src/legacy/request';
import { TaskStatus } from '../../../src/tasks/task-status';

describe('a segment after /tasks/', () => {
  it('is a status word when it is one and does not look like an id', () => {
    for (const segment of ['dispatched', 'setting up', 'sucess', 'IN PROGRESS', 'storage_created', 'not-a-uuid', 'added', 'deadbeef']) {
      expect(isWordSegment(segment)).toBe(true);
    }
  });

  it('is an id when it is shaped like one, mistyped or not: 32 or more hex digits and hyphens', () => {
    for (const segment of ['6f1c3a2e-4b5d-4e6f-8a9b-0c1d2e3f4a5b', '6F1C3A2E-4B5D-4E6F-8A9B-0C1D2E3F4A5B', '6f1c3a2e-4b5d-4e6f-8a9b-0c1d2e3f4a5', '6f1c3a2e4b5d4e6f8a9b0c1d2e3f4a5b']) {
      expect(isWordSegment(segment)).toBe(false);
    }
  });

  it('is no word when it has other characters or is too long (then it is a bad id)', () => {
    for (const segment of ['not a uuid!', 'x'.repeat(65), '']) expect(isWordSegment(segment)).toBe(false);
  });
});

describe('a listing by word', () => {
  it('lists the phase for the documented four, in every spelling', () => {
    expect(wordFilter('pending')).toEqual({ status: TaskStatus.PENDING });
    expect(wordFilter('In Progress')).toEqual({ status: TaskStatus.IN_PROGRESS });
    expect(wordFilter('success')).toEqual({ status: TaskStatus.SUCCESS });
    expect(wordFilter('sucess')).toEqual({ status: TaskStatus.SUCCESS });
    expect(wordFilter('failed')).toEqual({ status: TaskStatus.FAILED });
  });

  it('lists the word itself for any other word, and refuses what is not a word with the field named', () => {
    expect(wordFilter('Dispatched')).toEqual({ stage: 'dispatched' });
    expect(() => wordFilter('a;b')).toThrow('status: "a;b" is not a status word: use letters, digits, spaces, _ and -');
  });
});
