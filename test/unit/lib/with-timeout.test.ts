import { withTimeout } from '../../../src/lib/with-timeout';

describe('waiting for work at most so long', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('gives the value of work that settles in time', async () => {
    await expect(withTimeout(Promise.resolve(42), 1000)).resolves.toEqual({ timedOut: false, value: 42 });
  });

  it('says the time ran out when the work is still going', async () => {
    const outcome = withTimeout(new Promise(() => undefined), 1000);
    jest.advanceTimersByTime(1000);
    await expect(outcome).resolves.toEqual({ timedOut: true });
  });

  it('passes on a failure of the work within the time', async () => {
    await expect(withTimeout(Promise.reject(new Error('no answer')), 1000)).rejects.toThrow('no answer');
  });

  it('leaves no timer behind either way', async () => {
    await withTimeout(Promise.resolve(1), 1000);
    expect(jest.getTimerCount()).toBe(0);
  });
});
