/**
 * A value, or a promise of it when something had to wait (graphql-js's PromiseOrValue). A cheap
 * read has nothing to wait for until the database, and on SQLite not even then: each `await` on a
 * value that is already there still costs a promise and a microtask turn, about nine of them per
 * `task(id)` (bench/PROFILE.md). Functions on the request path return this instead, and callers
 * go on at once when it is a value.
 */
export type MaybePromise<T> = T | Promise<T>;

/** `next(value)` at once when `value` is ready, once it is when it is a promise. */
export function andThen<T, R>(value: MaybePromise<T>, next: (value: T) => MaybePromise<R>): MaybePromise<R> {
  return value instanceof Promise ? value.then(next) : next(value);
}

/**
 * `try { value = await run() } catch (e) { return failed(e) } return next(value)`, without a
 * promise when `run` returned a value: a throw from `run` (or its rejection) goes to `failed`,
 * a throw from `next` to the caller (as a throw, or a rejection when `run` waited).
 */
export function attempt<T, R>(run: () => MaybePromise<T>, next: (value: T) => MaybePromise<R>, failed: (error: unknown) => MaybePromise<R>): MaybePromise<R> {
  let value: MaybePromise<T>;
  try {
    value = run();
  } catch (error) {
    return failed(error);
  }
  return value instanceof Promise ? value.then(next, failed) : next(value);
}

/** `try { return await run() } finally { after() }`, without a promise when `run` returned a value. */
export function lastly<T>(run: () => MaybePromise<T>, after: () => void): MaybePromise<T> {
  let value: MaybePromise<T>;
  try {
    value = run();
  } catch (error) {
    after();
    throw error;
  }
  if (!(value instanceof Promise)) {
    after();
    return value;
  }
  return value.then(
    (settled) => {
      after();
      return settled;
    },
    (error: unknown) => {
      after();
      throw error;
    },
  );
}
