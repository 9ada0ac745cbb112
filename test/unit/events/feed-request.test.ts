import { feedEventId, feedTaskId } from '../../../src/events/feed-request';

const refuse = (field: string, problem: string) => new Error(`${field}: ${problem}`);

describe('the checks both feeds make of a request', () => {
  it('takes a task id in any case and follows it in lower case', () => {
    expect(feedTaskId('id', '3F2C1A9E-0B7D-4C55-9A61-2F0E8D4B7C10', refuse)).toBe('3f2c1a9e-0b7d-4c55-9a61-2f0e8d4b7c10');
  });

  it('refuses a task id that is not a UUID, naming the field', () => {
    expect(() => feedTaskId('id', 'nope', refuse)).toThrow('id: must be a UUID like 3f2c1a9e-0b7d-4c55-9a61-2f0e8d4b7c10');
  });

  it('resumes after an event id of up to 15 digits', () => {
    expect(feedEventId('after', '0', refuse)).toBe(0);
    expect(feedEventId('Last-Event-ID', '999999999999999', refuse)).toBe(999999999999999);
  });

  it.each(['-1', '1.5', 'abc', '1234567890123456', ''])('refuses %j as an event id, naming the field it came in', (written) => {
    expect(() => feedEventId('Last-Event-ID', written, refuse)).toThrow('Last-Event-ID: must be an event id (a whole number)');
  });
});
