import { graphql, type GraphQLSchema } from 'graphql';
import { AnswerBudget, meterLargeFields } from '../../../src/graphql/answer-budget';
import { taskgateSchema } from '../../../src/schema';

describe('the answer budget', () => {
  it('lets text in until the limit, refuses once at the first text over it, then leaves the rest out quietly', () => {
    const budget = new AnswerBudget(10);
    expect(budget.charge(6, 'a')).toBe(true);
    expect(budget.charge(4, 'b')).toBe(true);
    expect(() => budget.charge(1, 'Task.log')).toThrow(expect.objectContaining({ extensions: expect.objectContaining({ code: 'RESPONSE_TOO_LARGE', max: 10 }) }));
    expect(budget.charge(0, 'd')).toBe(false);
    expect(budget.fresh().charge(10, 'e')).toBe(true);
  });

  describe('on the schema', () => {
    let schema: GraphQLSchema;
    beforeAll(async () => {
      schema = await taskgateSchema();
      meterLargeFields(schema);
      meterLargeFields(schema); // a second app in the same process: wrapped once
    });
    const task = (log: string, extra: Record<string, unknown> = {}) => ({ uuid: 'u', description: 'd', status: 'PENDING', version: 1, created: { at: new Date(0), by: 'x' }, lastUpdate: new Date(0), log, ...extra });
    const run = (tasks: unknown[], maxBytes: number) =>
      graphql({
        schema,
        source: '{ tasks(first: 3) { edges { node { log } } } }',
        contextValue: {
          answer: new AnswerBudget(maxBytes),
          tasks: { listTasks: async () => ({ tasks, hasNextPage: false }), logOf: async (t: { log: string }) => t.log },
        },
      });

    it('cuts the logs of an answer past its limit, with one error', async () => {
      const result = await run([task('a'.repeat(40)), task('b'.repeat(40)), task('c'.repeat(40))], 100);
      const logs = (result.data as any).tasks.edges.map((e: any) => e.node.log);
      expect(logs).toEqual(['a'.repeat(40), 'b'.repeat(40), null]);
      expect(result.errors?.map((e) => e.extensions.code)).toEqual(['RESPONSE_TOO_LARGE']);
    });

    it('counts UTF-8 bytes, not characters', async () => {
      const result = await run([task('é'.repeat(30)), task('é'.repeat(30))], 100);
      expect(result.errors?.map((e) => e.extensions.code)).toEqual(['RESPONSE_TOO_LARGE']);
    });

    it('charges a log whose size the row gives before reading it, and does not read one that does not fit', async () => {
      let reads = 0;
      const deferred = (bytes: number) => ({ ...task(''), log: null, logDeferred: true, logBytes: bytes });
      const result = await graphql({
        schema,
        source: '{ tasks(first: 3) { edges { node { log } } } }',
        contextValue: {
          answer: new AnswerBudget(100),
          tasks: {
            listTasks: async () => ({ tasks: [deferred(60), deferred(60), deferred(10)], hasNextPage: false }),
            logOf: async (t: { logBytes: number }) => (reads++, 'x'.repeat(t.logBytes)),
          },
        },
      });
      expect(result.errors?.map((e) => e.extensions.code)).toEqual(['RESPONSE_TOO_LARGE']);
      expect(reads).toBeLessThanOrEqual(1);
    });
  });
});
