import { startServer, type TestServer } from '../../helpers/server';

/** GraphQL limits over HTTP; the same rule set (validation-rules.ts, limits.ts) serves every door. */
describe('GraphQL limits', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startServer('sqlite');
  });
  afterAll(() => server.stop());

  const codeOf = (result: { errors?: { extensions?: Record<string, any> }[] }) => result.errors?.[0]?.extensions?.code;

  it('refuses a query nested deeper than 6 levels', async () => {
    const ok = await server.gql('{ tasks(first: 5) { edges { node { history(first: 5) { task { id } } } } } }');
    expect(ok.errors).toBeUndefined();
    const deep = await server.gql('{ tasks(first: 1) { edges { node { history(first: 1) { task { history(first: 1) { id } } } } } } }');
    expect(deep.status).toBe(400);
    expect(deep.errors![0].message).toMatch(/deeper than 6/);
  });

  it('follows fragments when measuring depth, and survives a fragment cycle', async () => {
    const viaFragments = await server.gql('query { tasks { edges { node { ...T } } } } fragment T on Task { history { task { history { id } } } }');
    expect(viaFragments.errors![0].message).toMatch(/deeper than 6/);
    const cycle = await server.gql('query { tasks { edges { node { ...A } } } } fragment A on Task { history { task { ...A } } }');
    expect(cycle.status).toBe(400);
    expect(codeOf(cycle)).toBe('GRAPHQL_VALIDATION_FAILED');
  });

  it('refuses more than 15 aliases', async () => {
    // Cheap aliased fields: a count costs 1000 since issue 13 (five fill the cost limit).
    const fields = (n: number) => Array.from({ length: n }, (_, i) => `a${i}: tasks(first: 1) { pageInfo { hasNextPage } }`).join(' ');
    expect((await server.gql(`{ ${fields(15)} }`)).errors).toBeUndefined();
    const many = await server.gql(`{ ${fields(16)} }`);
    expect(many.status).toBe(400);
    expect(many.errors![0].message).toMatch(/more than 15 aliases/);
  });

  it('refuses an operation costing more than 5000, counting variables', async () => {
    const query = 'query($n: Int) { tasks(first: $n) { edges { node { history(first: 100) { status } } } } }';
    expect((await server.gql(query, { n: 40 })).errors).toBeUndefined();
    const costly = await server.gql(query, { n: 60 });
    expect(costly.status).toBe(400);
    expect(codeOf(costly)).toBe('QUERY_TOO_COMPLEX');
    expect(costly.errors![0].extensions).toMatchObject({ limit: 'cost', max: 5000 });
  });

  it('refuses a document of more than 1000 tokens before validating it', async () => {
    const long = `{ tasks { ${Array.from({ length: 1200 }, () => '__typename').join(' ')} totalCount } }`;
    const result = await server.gql(long);
    expect(result.status).toBe(400);
    expect(result.errors![0].message).toMatch(/more th.. 1000 tokens/);
  });

  it('refuses batched HTTP requests', async () => {
    const response = await server.request('POST', '/graphql', { body: [{ query: '{ tasks { totalCount } }' }, { query: '{ tasks { totalCount } }' }] });
    expect(response.status).toBe(400);
  });

  it('refuses a body larger than the limit with 413', async () => {
    const small = await startServer('sqlite', { TASKGATE_BODY_LIMIT: '1000' });
    try {
      const response = await small.request('POST', '/graphql', { body: { query: `{ tasks { totalCount } } # ${'x'.repeat(2000)}` } });
      expect(response.status).toBe(413);
    } finally {
      await small.stop();
    }
  });

  it('exempts a signed GET from CSRF prevention (a page on another site cannot sign), but not an unsigned one', async () => {
    const path = `/graphql?query=${encodeURIComponent('{ tasks { totalCount } }')}`;
    expect((await server.request('GET', path)).status).toBe(200);
    // Unsigned requests are refused here anyway; with authentication off, Apollo's CSRF check answers them (test/integration/security).
    expect((await server.request('GET', path, { user: false })).status).toBe(401);
  });

  it('never sends stack traces, and hides field suggestions in production', async () => {
    const dev = await server.gql('{ taks { totalCount } }');
    expect(JSON.stringify(dev)).not.toMatch(/stacktrace/);
    const production = await startServer('sqlite', { NODE_ENV: 'production' });
    try {
      const result = await production.gql('{ taks { totalCount } }');
      expect(result.errors![0].message).not.toMatch(/Did you mean/);
      const introspection = await production.gql('{ __schema { queryType { name } } }');
      expect(introspection.status).toBe(400);
      expect(introspection.errors![0].message).toMatch(/introspection/i);
    } finally {
      await production.stop();
    }
  });

  it('answers introspection in development, and not when TASKGATE_INTROSPECTION=off', async () => {
    expect((await server.gql('{ __schema { queryType { name } } }')).data).toEqual({ __schema: { queryType: { name: 'Query' } } });
    const closed = await startServer('sqlite', { TASKGATE_INTROSPECTION: 'off' });
    try {
      expect((await closed.gql('{ __schema { queryType { name } } }')).status).toBe(400);
    } finally {
      await closed.stop();
    }
  });

  it('answers CORS preflights for configured origins only', async () => {
    const cors = await startServer('sqlite', { TASKGATE_CORS_ORIGINS: 'https://ui.example' });
    try {
      const preflight = (origin: string) =>
        fetch(`${cors.baseUrl}/graphql`, { method: 'OPTIONS', headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'x-virtshell-authorization' } });
      const allowed = await preflight('https://ui.example');
      expect(allowed.status).toBe(204);
      expect(allowed.headers.get('access-control-allow-origin')).toBe('https://ui.example');
      expect(allowed.headers.get('access-control-allow-headers')).toContain('x-virtshell-date');
      const other = await preflight('https://evil.example');
      expect(other.headers.get('access-control-allow-origin')).toBeNull();
    } finally {
      await cors.stop();
    }
  });
});
