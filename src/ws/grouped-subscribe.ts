import {
  createSourceEventStream,
  type DocumentNode,
  execute,
  type ExecutionArgs,
  type ExecutionResult,
  print,
} from 'graphql';

/**
 * graphql-ws's `subscribe`, with one change: each event is executed once per group of
 * subscribers that sent the same document, variables and operation name and share a
 * `groupKey` (the caller), instead of once per subscriber. The feed hands the same event
 * object to every subscriber, so results are kept in a WeakMap on that object and go when it does.
 */
export function groupedSubscribe(options: {
  /** Subscribers with the same key may share results (results must not depend on anything else in the context). */
  groupKey(contextValue: unknown): string;
  /** A fresh context for one execution (request-scoped loaders must not outlive one event). */
  contextForEvent(contextValue: unknown): unknown;
}) {
  let inFlight = 0;
  const results = new WeakMap<object, Map<string, Promise<ExecutionResult>>>();
  const documentKeys = new WeakMap<DocumentNode, string>();
  const keyOf = (args: ExecutionArgs): string => {
    let text = documentKeys.get(args.document);
    if (text === undefined) documentKeys.set(args.document, (text = print(args.document)));
    return [text, args.operationName ?? '', JSON.stringify(args.variableValues ?? {}), options.groupKey(args.contextValue)].join('\u0000');
  };

  const subscribe = async (args: ExecutionArgs): Promise<AsyncIterableIterator<ExecutionResult> | ExecutionResult> => {
    const stream = await createSourceEventStream(args);
    if (!(Symbol.asyncIterator in stream)) return stream as ExecutionResult;
    const key = keyOf(args);
    const run = (event: unknown): Promise<ExecutionResult> => {
      const perEvent = typeof event === 'object' && event !== null ? event : null;
      let byGroup = perEvent ? results.get(perEvent) : undefined;
      const shared = byGroup?.get(key);
      if (shared) return shared;
      inFlight++;
      const result = Promise.resolve(execute({ ...args, rootValue: event, contextValue: options.contextForEvent(args.contextValue) })).finally(() => inFlight--);
      if (perEvent) {
        if (!byGroup) results.set(perEvent, (byGroup = new Map()));
        byGroup.set(key, result);
      }
      return result;
    };
    return mapEvents(stream as AsyncIterator<unknown> & AsyncIterable<unknown>, run);
  };
  /** Events being executed right now (a graceful shutdown waits for them). */
  const executing = () => inFlight;
  return Object.assign(subscribe, { executing });
}

/**
 * Not an async generator: a generator's return() waits for the pending next(), which waits
 * for the next event; a closed subscription must let go of the feed at once.
 */
function mapEvents(
  source: AsyncIterator<unknown>,
  run: (event: unknown) => Promise<ExecutionResult>,
): AsyncIterableIterator<ExecutionResult> {
  const done = (): IteratorResult<ExecutionResult> => ({ value: undefined, done: true });
  return {
    async next() {
      const next = await source.next();
      return next.done ? done() : { value: await run(next.value), done: false };
    },
    async return() {
      await source.return?.();
      return done();
    },
    async throw(error: unknown) {
      await source.return?.();
      throw error;
    },
    [Symbol.asyncIterator]() {
      return this;
    },
  };
}
