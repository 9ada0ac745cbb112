import { databaseKinds } from '../../helpers/databases';
import { type CostDoors, startCostDoors } from './cost-doors';

/**
 * Issue 13 (low): the WebSocket door served introspection and field suggestions in production
 * while HTTP did not. Issue 14, item 7: the refusal told users to "pass introspection: true"
 * (Apollo's option) instead of naming taskgate's setting.
 */
describe.each(databaseKinds())('introspection and suggestions in production (%s)', (kind) => {
  let doors: CostDoors;
  beforeAll(async () => {
    doors = await startCostDoors(kind, { NODE_ENV: 'production' });
  });
  afterAll(() => doors?.stop());

  it('refuses introspection on every door, naming TASKGATE_INTROSPECTION', async () => {
    for (const query of ['{ __schema { queryType { name } } }', '{ __type(name: "Task") { name } }']) {
      for (const answer of await doors.ask(query)) {
        expect(answer).toMatchObject({ status: 400, codes: ['GRAPHQL_VALIDATION_FAILED'], data: false });
        expect(answer.messages[0]).toMatch(/TASKGATE_INTROSPECTION=on/);
        expect(answer.messages[0]).not.toMatch(/ApolloServer|introspection: true/);
      }
    }
    // __typename is not introspection of the schema: still answered.
    for (const answer of await doors.ask('{ __typename }')) expect(answer).toMatchObject({ status: 200, data: true });
  });

  it('gives no field suggestions on any door', async () => {
    for (const answer of await doors.ask('{ taks { totalCount } }')) {
      expect(answer.codes).toEqual(['GRAPHQL_VALIDATION_FAILED']);
      expect(answer.messages[0]).toMatch(/Cannot query field "taks"/);
      expect(answer.messages[0]).not.toMatch(/Did you mean/);
    }
  });
});
