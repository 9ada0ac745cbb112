import { type GraphQLSchema, parse } from 'graphql';
import { DocumentCache, documentHash, isRefused, type PreparedDocument } from '../../../src/graphql/documents';
import { noIntrospection } from '../../../src/graphql/introspection';
import { depthLimit } from '../../../src/graphql/limits';
import { taskgateSchema } from '../../../src/schema';

/** The one document cache (src/graphql/documents.ts), without a server. */
describe('the document cache', () => {
  let schema: GraphQLSchema;
  beforeAll(async () => {
    schema = await taskgateSchema();
  });
  const cache = (options: { maxBytes?: number; maxEntries?: number; maxDocumentBytes?: number } = {}) =>
    new DocumentCache({ schema, validationRules: [depthLimit(6), noIntrospection], parseOptions: { maxTokens: 1000 }, maxDocumentBytes: options.maxDocumentBytes ?? 32_768, ...options });

  it('prepares a valid document once and finds it again by its text', () => {
    const documents = cache();
    const first = documents.prepare('{ lastEventId }') as PreparedDocument;
    expect(isRefused(first)).toBe(false);
    expect(documents.prepare('{ lastEventId }')).toBe(first);
    expect(documents.known('{ lastEventId }')).toBe(first);
    expect(documents.known('{ lastEventId  }')).toBeUndefined();
  });

  it('refuses with the code clients see, and keeps nothing it refused', () => {
    const documents = cache({ maxDocumentBytes: 100 });
    const refusals = ['{ lastEventId', '{ nope }', '{ __schema { queryType { name } } }', `{ lastEventId } #${'x'.repeat(100)}`].map((text) => documents.prepare(text));
    expect(refusals.map((r) => (isRefused(r) ? r.refused[0].extensions.code : 'kept'))).toEqual(['GRAPHQL_PARSE_FAILED', 'GRAPHQL_VALIDATION_FAILED', 'GRAPHQL_VALIDATION_FAILED', 'QUERY_TOO_COMPLEX']);
    expect(documents.stats().documents).toBe(0);
  });

  it('stays within its byte bound: padding costs what it weighs', () => {
    const documents = cache({ maxBytes: 1_000_000 });
    for (let i = 0; i < 100; i++) expect(isRefused(documents.prepare(`{ lastEventId } # ${i} ${'x'.repeat(30_000)}`))).toBe(false);
    expect(documents.stats().bytes).toBeLessThanOrEqual(1_000_000);
    expect(documents.stats().documents).toBeLessThan(100);
    // The most recently used are the ones kept.
    expect(documents.known(`{ lastEventId } # 99 ${'x'.repeat(30_000)}`)).toBeDefined();
    expect(documents.known(`{ lastEventId } # 0 ${'x'.repeat(30_000)}`)).toBeUndefined();
  });

  it('stays within its entry bound', () => {
    const documents = cache({ maxEntries: 10 });
    for (let i = 0; i < 50; i++) documents.prepare(`query Q${i} { lastEventId }`);
    expect(documents.stats().documents).toBe(10);
  });

  it('finds by text only what the cache still holds, and keeps a document in use among the most recent', () => {
    const documents = cache({ maxEntries: 3 });
    const hot = documents.prepare('query Hot { lastEventId }') as PreparedDocument;
    for (let i = 0; i < 20; i++) {
      documents.prepare(`query Q${i} { lastEventId }`);
      expect(documents.known('query Hot { lastEventId }')).toBe(hot);
    }
    expect(documents.known('query Q0 { lastEventId }')).toBeUndefined();
    expect(documents.known('query Q19 { lastEventId }')).toBeDefined();
    // Its index over the texts holds no more than the cache.
    expect((documents as unknown as { byText: Map<string, unknown> }).byText.size).toBeLessThanOrEqual(3);
  });

  it('gives one prepared operation per operation, whatever name picked it, and keeps no unknown names', () => {
    const documents = cache();
    const single = documents.prepare('query Only { lastEventId }') as PreparedDocument;
    expect(single.operation(undefined)).toBe(single.operation('Only'));
    const two = documents.prepare('query A { lastEventId } query B { lastEventId }') as PreparedDocument;
    expect(two.operation(undefined)).toBeUndefined();
    expect(two.operation('A')).not.toBe(two.operation('B'));
    for (let i = 0; i < 1000; i++) expect(two.operation(`Missing${i}`)).toBeUndefined();
    expect((two as unknown as { operations: Map<string, unknown> }).operations.size).toBe(1 + 1);
  });

  it('is Apollo’s documentStore: Apollo’s key (a prefix, then the SHA-256 of the text) reads and fills the same entries', async () => {
    const documents = cache();
    const store = documents.apolloDocumentStore();
    const text = '{ tasks { totalCount } }';
    const node = parse(text);
    await store.set(`schemahash:${documentHash(text)}`, node);
    expect(await store.get(`schemahash:${documentHash(text)}`)).toBe(node);
    expect(documents.known(text)?.document).toBe(node);
    expect(documents.of(node)).toBe(documents.known(text));
  });
});
