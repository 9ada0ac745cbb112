import type { GraphQLSchema } from 'graphql';
import { type Admission, createAdmission, type Door } from '../../../src/graphql/admission';
import { DocumentCache, isRefused, type PreparedDocument } from '../../../src/graphql/documents';
import { AuthError } from '../../../src/auth/authenticate';
import { createLogger } from '../../../src/ops/logger';
import { taskgateSchema } from '../../../src/schema';

/** The one admission check (src/graphql/admission.ts), without a server. */
describe('admission', () => {
  let schema: GraphQLSchema;
  let documents: DocumentCache;
  let claims: string[];
  let admit: ReturnType<typeof createAdmission>;
  beforeAll(async () => {
    schema = await taskgateSchema();
    documents = new DocumentCache({ schema, validationRules: [], parseOptions: {}, maxDocumentBytes: 32_768 });
  });
  beforeEach(() => {
    claims = [];
    admit = createAdmission({
      schema,
      maxCost: 1000,
      logger: createLogger('silent'),
      claimWrite: async (caller) => {
        if (claims.includes(caller.id)) throw new AuthError(401, 'RequestReplayed', 'this signed request was already used');
        claims.push(caller.id);
      },
    });
  });

  const request = (text: string, door: Door, variables?: Record<string, unknown>, caller = 'c1') => {
    const prepared = documents.prepare(text);
    if (isRefused(prepared)) throw prepared.refused[0];
    return admit({ door, operation: (prepared as PreparedDocument).operation(undefined)!, variables, caller: { id: caller, role: 'write' } });
  };
  const refusal = (admission: Admission) => (admission.admitted ? 'admitted' : `${admission.stage} ${admission.status} ${admission.errors[0].extensions.code}`);

  it('lets each door run only the kinds of operation it serves', async () => {
    const subscription = 'subscription { taskUpdated { id } }';
    const mutation = 'mutation { createTask(input: {description: "d"}) { id } }';
    expect(refusal(await request(subscription, 'http'))).toBe('refused 400 BAD_REQUEST');
    expect(refusal(await request(subscription, 'websocket'))).toBe('admitted');
    expect(refusal(await request(mutation, 'websocket'))).toBe('refused 400 BAD_REQUEST');
    expect(refusal(await request('{ lastEventId }', 'legacy'))).toBe('admitted');
    expect(claims).toEqual([]);
  });

  it('coerces the variables once and hands back the coerced values, defaults included', async () => {
    const admission = await request('query($n: Int = 7, $s: TaskStatus) { tasks(first: $n, status: $s) { pageInfo { hasNextPage } } }', 'http', { s: 'PENDING', junk: 1 });
    expect(admission).toMatchObject({ admitted: true, variables: { n: 7, s: 'PENDING' } });
    expect((admission as { variables: object }).variables).not.toHaveProperty('junk');
  });

  it('reports refused variables as their own stage, so a door may leave them to its executor', async () => {
    expect(refusal(await request('query($n: Int) { tasks(first: $n) { totalCount } }', 'http', { n: 'many' }))).toBe('variables 400 BAD_USER_INPUT');
  });

  it('fails closed: an argument that cannot be priced is refused, and so is a price over the limit', async () => {
    expect(refusal(await request('query($id: ID = "00000000-0000-4000-8000-000000000000") { task(id: $id) { id } }', 'websocket', { id: null }))).toBe('refused 400 BAD_USER_INPUT');
    expect(refusal(await request('{ tasks(first: 500) { edges { node { id } } } }', 'legacy'))).toBe('refused 400 QUERY_TOO_COMPLEX');
  });

  it('claims a mutation’s signature over HTTP only, and refuses a second use with the authenticator’s status', async () => {
    const mutation = 'mutation { createTask(input: {description: "d"}) { id } }';
    expect(refusal(await request(mutation, 'legacy'))).toBe('admitted');
    expect(claims).toEqual([]);
    expect(refusal(await request(mutation, 'http'))).toBe('admitted');
    expect(claims).toEqual(['c1']);
    expect(refusal(await request(mutation, 'http'))).toBe('refused 401 UNAUTHENTICATED');
    // A query claims nothing.
    expect(refusal(await request('{ lastEventId }', 'http', undefined, 'c2'))).toBe('admitted');
    expect(claims).toEqual(['c1']);
  });
});
