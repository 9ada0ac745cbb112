import { databaseKinds } from '../../helpers/databases';
import { type CostDoors, startCostDoors } from './cost-doors';

/**
 * Issue 13, item 7: caches grew with client input (documents padded with comments kept ~1 MB
 * each, a thousand of them; price keys from undeclared variables). Documents are now limited in
 * bytes before they are parsed (TASKGATE_MAX_DOCUMENT_BYTES), and the one document cache is
 * bounded in bytes as well as entries.
 */
describe.each(databaseKinds())('documents and the document cache under padding (%s)', (kind) => {
  let doors: CostDoors;
  beforeAll(async () => {
    doors = await startCostDoors(kind, { NODE_ENV: 'production', TASKGATE_MAX_DOCUMENT_BYTES: '8000' });
  });
  afterAll(() => doors?.stop());

  const padded = (bytes: number, salt = '') => `{ lastEventId } # ${salt}${'x'.repeat(bytes)}`;

  it('refuses a document over TASKGATE_MAX_DOCUMENT_BYTES before parsing it, on every door', async () => {
    for (const answer of await doors.ask(padded(8_000))) {
      expect(answer).toMatchObject({ status: 400, codes: ['QUERY_TOO_COMPLEX'], data: false });
      expect(answer.messages[0]).toMatch(/more than the limit of 8000/);
    }
    // GET carries the document in the query string: refused the same way.
    const get = await doors.direct.request('GET', `/graphql?query=${encodeURIComponent(padded(8_000))}`, { headers: { 'apollo-require-preflight': '1' } });
    expect(get.status).toBe(400);
    expect(get.body.errors[0].extensions).toMatchObject({ code: 'QUERY_TOO_COMPLEX', limit: 'documentBytes', max: 8000 });
    // Just under the limit it is an ordinary document.
    for (const answer of await doors.ask(padded(7_500))) expect(answer).toMatchObject({ status: 200, data: true });
  });

  it('keeps the document cache within its byte bound however many padded documents come', async () => {
    const { documents } = doors.direct.app.pipeline;
    for (let i = 0; i < 400; i++) {
      const response = await doors.direct.request('POST', '/graphql', { body: { query: padded(7_500, `${i} `) }, user: 'reader' });
      expect(response.status).toBe(200);
    }
    const { documents: kept, bytes } = documents.stats();
    // 400 documents of 7.5 KB are about 35 MB at the cache's estimate (text, AST, room to compile one operation).
    expect(bytes).toBeLessThanOrEqual(32 * 1024 * 1024);
    expect(kept).toBeLessThan(400);
  });

  it('prices an operation once for every value of an undeclared variable', async () => {
    const query = 'query P($n: Int) { tasks(first: $n) { edges { node { id } } } }';
    for (let i = 0; i < 20; i++) expect((await doors.direct.request('POST', '/graphql', { body: { query, variables: { n: 5, [`junk${i}`]: i } }, user: 'reader' })).status).toBe(200);
    const operation = doors.direct.app.pipeline.documents.known(query)!.operation('P')!;
    expect(operation.priceKey({ n: 5 })).toBe(operation.priceKey({ n: 5, junk1: 1 } as never));
    expect(operation.price(operation.priceKey({ n: 5 }))).toBe(1 + 1 + 5 * 2);
  });
});
