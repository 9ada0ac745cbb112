import { databaseKinds } from '../../helpers/databases';
import { startServer, type TestServer, type TestUser } from '../../helpers/server';

/**
 * POST /graphql has two ways to run a request: the direct path (a known document straight
 * through graphql-js) and Apollo Server's pipeline. A client must not be able to tell them
 * apart: the same requests go to a server with the direct path and to one without it, and the
 * answers must be equal, status, content type and body (timestamps aside).
 */
describe.each(databaseKinds())('POST /graphql answers the same with and without the direct path on %s', (kind) => {
  let direct: TestServer;
  let apollo: TestServer;

  beforeAll(async () => {
    [direct, apollo] = await Promise.all([startServer(kind), startServer(kind, { TASKGATE_DIRECT_EXECUTION: 'off' })]);
  });
  afterAll(async () => {
    await Promise.all([direct?.stop(), apollo?.stop()]);
  });

  interface Sent {
    body: string;
    user?: TestUser;
    headers?: Record<string, string>;
  }
  interface Answer {
    status: number;
    contentType: string | null;
    body: unknown;
  }

  async function send(server: TestServer, sent: Sent, signed?: Record<string, string>): Promise<Answer> {
    const headers = {
      'content-type': 'application/json',
      ...(signed ?? server.signedHeaders('POST', '/graphql', sent.body, { user: sent.user, contentType: 'application/json' })),
      ...sent.headers,
    };
    const response = await fetch(`${server.baseUrl}/graphql`, { method: 'POST', headers, body: sent.body });
    const text = await response.text();
    // Timestamps and cursors (which carry one) differ between the two databases.
    const comparable = text.replace(/\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z/g, '<time>').replace(/"(cursor|endCursor)":"[^"]*"/g, '"$1":"<cursor>"');
    return { status: response.status, contentType: response.headers.get('content-type'), body: JSON.parse(comparable) };
  }

  /**
   * Sends the same request to both servers; both answers must be equal; returns one. With
   * `repeat`, the direct server gets it that many times more first, and every answer must be the
   * same: a document sent again is compiled (graphql-jit) after a few runs through graphql-js.
   */
  async function same(query: string, variables?: Record<string, unknown>, options: Omit<Sent, 'body'> & { operationName?: string; repeat?: number } = {}) {
    const body = JSON.stringify({ query, variables, operationName: options.operationName });
    const earlier: Answer[] = [];
    for (let i = 0; i < (options.repeat ?? 0); i++) earlier.push(await send(direct, { ...options, body }));
    const [a, b] = await Promise.all([send(direct, { ...options, body }), send(apollo, { ...options, body })]);
    expect(a).toEqual(b);
    for (const answer of earlier) expect(answer).toEqual(a);
    return a;
  }

  const fields = 'id description status type objectUuid created { at by } lastUpdate log version';
  const id = '0a1b2c3d-0000-4000-8000-000000000001';

  it('creates, reads and updates a task with equal answers', async () => {
    const created = await same(`mutation C($input: CreateTaskInput!) { createTask(input: $input) { ${fields} } }`, {
      input: { id, description: 'contract', type: 'create_instance' },
    });
    expect(created).toMatchObject({ status: 200, contentType: 'application/json; charset=utf-8', body: { data: { createTask: { id, version: 1 } } } });
    const read = await same(`query R($id: ID!) { task(id: $id) { ${fields} history { status } } }`, { id }, { repeat: 4 });
    expect(read.body).toMatchObject({ data: { task: { id, description: 'contract', history: [{ status: 'PENDING' }] } } });
    const updated = await same('mutation U($id: ID!) { updateTask(id: $id, input: { status: IN_PROGRESS, log: "working" }) { status log version } }', { id });
    expect(updated.body).toEqual({ data: { updateTask: { status: 'IN_PROGRESS', log: 'working', version: 2 } } });
  });

  it('answers variables named like Object.prototype’s properties, sent or not, equally before and after compiling', async () => {
    const unsent = await same('query Unsent($constructor: String, $toString: String) { tasks(type: $constructor, stage: $toString, first: 1) { edges { node { id } } } }', {}, { repeat: 4 });
    expect(unsent).toMatchObject({ status: 200, body: { data: { tasks: { edges: [{ node: { id } }] } } } });
    const sent = await same('query Sent($__proto__: ID!) { task(id: $__proto__) { id } }', JSON.parse(`{"__proto__": "${id}"}`), { repeat: 4 });
    expect(sent.body).toEqual({ data: { task: { id } } });
  });

  it('answers an unknown id with null data, and a list with its page, equally', async () => {
    const missing = await same('query($id: ID!) { task(id: $id) { id } }', { id: '0a1b2c3d-0000-4000-8000-00000000ffff' }, { repeat: 4 });
    expect(missing.body).toEqual({ data: { task: null } });
    const list = await same('{ tasks(first: 5) { totalCount edges { cursor node { id status } } pageInfo { hasNextPage endCursor } } }', undefined, { repeat: 4 });
    expect(list.status).toBe(200);
  });

  it('refuses a variable of the wrong type with 400 BAD_USER_INPUT and runs nothing', async () => {
    const wrong = await same('query($n: Int) { tasks(first: $n) { totalCount } }', { n: 'many' }, { repeat: 4 });
    expect(wrong.status).toBe(400);
    expect(wrong.body).toMatchObject({ errors: [{ extensions: { code: 'BAD_USER_INPUT' } }] });
    expect(wrong.body).not.toHaveProperty('data');
    const missing = await same('query($id: ID!) { task(id: $id) { id } }', {});
    expect(missing.status).toBe(400);
  });

  it('reports the service refusing input, a bad transition and a reader writing, with their codes', async () => {
    const tooLong = await same('mutation($d: String!) { createTask(input: { description: $d }) { id } }', { d: 'x'.repeat(2000) }, { repeat: 4 });
    expect(tooLong.body).toMatchObject({ data: null, errors: [{ extensions: { code: 'BAD_USER_INPUT' } }] });
    const backwards = await same('mutation($id: ID!) { updateTask(id: $id, input: { status: PENDING }) { id } }', { id }, { repeat: 4 });
    expect(backwards.body).toMatchObject({ errors: [{ extensions: { code: 'INVALID_TRANSITION' } }] });
    const reader = await same('mutation { createTask(input: { description: "not allowed" }) { id } }', undefined, { user: 'reader', repeat: 4 });
    expect(reader.body).toMatchObject({ errors: [{ extensions: { code: 'FORBIDDEN' } }] });
  });

  it('keeps the data that resolved next to a field that failed', async () => {
    const partial = await same('query($id: ID!, $bad: ID!) { ok: task(id: $id) { id } bad: task(id: $bad) { id } }', { id, bad: 'not a uuid' }, { repeat: 4 });
    expect(partial.body).toMatchObject({ data: { ok: { id } } });
  });

  it('refuses an operation over the cost limit with 400 QUERY_TOO_COMPLEX', async () => {
    const costly = await same('query($n: Int) { tasks(first: $n) { edges { node { history(first: 100) { status } } } } }', { n: 60 });
    expect(costly.status).toBe(400);
    expect(costly.body).toMatchObject({ errors: [{ extensions: { code: 'QUERY_TOO_COMPLEX', limit: 'cost' } }] });
  });

  it('refuses a replayed signed mutation with 401 and writes it once', async () => {
    const body = JSON.stringify({ query: 'mutation { createTask(input: { description: "once" }) { description } }' });
    const answers = [];
    for (const server of [direct, apollo]) {
      const signed = server.signedHeaders('POST', '/graphql', body, { contentType: 'application/json' });
      const first = await send(server, { body }, signed);
      const replay = await send(server, { body }, signed);
      answers.push({ first, replay });
    }
    expect(answers[0]).toEqual(answers[1]);
    expect(answers[0].first.body).toEqual({ data: { createTask: { description: 'once' } } });
    expect(answers[0].replay.status).toBe(401);
    expect(answers[0].replay.body).toMatchObject({ errors: [{ extensions: { code: 'UNAUTHENTICATED', reason: 'RequestReplayed' } }] });
  });

  it('picks the operation named by operationName, and refuses a name the document lacks', async () => {
    const document = `query A { lastEventId } query B($id: ID!) { task(id: $id) { id } }`;
    const picked = await same(document, { id }, { operationName: 'B', repeat: 4 });
    expect(picked.body).toEqual({ data: { task: { id } } });
    const unknown = await same(document, { id }, { operationName: 'C' });
    expect(unknown.body).toMatchObject({ errors: [{ extensions: { code: 'OPERATION_RESOLUTION_FAILURE' } }] });
  });

  it('refuses subscriptions, bad documents and depth over the limit the same way', async () => {
    const subscription = await same('subscription { taskStatusChanged { id } }');
    expect(subscription.status).toBe(400);
    const invalid = await same('{ task(id: "x") { nope } }');
    expect(invalid.body).toMatchObject({ errors: [{ extensions: { code: 'GRAPHQL_VALIDATION_FAILED' } }] });
    const syntax = await same('{ task(id: ');
    expect(syntax.body).toMatchObject({ errors: [{ extensions: { code: 'GRAPHQL_PARSE_FAILED' } }] });
    const deep = await same('{ tasks(first: 1) { edges { node { history(first: 1) { task { history(first: 1) { id } } } } } } }');
    expect(deep.status).toBe(400);
    expect(deep.body).toMatchObject({ errors: [{ message: expect.stringMatching(/deeper than 6/) }] });
  });

  it('ran the requests above through the direct path (compiled once sent again) on one server and through Apollo on the other', async () => {
    const executions = async (server: TestServer, engine: string) => {
      const text = (await server.request('GET', '/metrics')).text;
      const line = text.split('\n').find((l) => l.startsWith(`taskgate_graphql_http_executions_total{engine="${engine}"}`));
      return line ? Number(line.split(' ').pop()) : 0;
    };
    expect(await executions(direct, 'direct')).toBeGreaterThanOrEqual(10);
    // Every document sent again above (repeat) ended up compiled.
    expect(await executions(direct, 'compiled')).toBeGreaterThanOrEqual(9);
    expect(await executions(apollo, 'direct')).toBe(0);
    expect(await executions(apollo, 'compiled')).toBe(0);
    expect(await executions(apollo, 'apollo')).toBeGreaterThanOrEqual(10);
  });

  it('answers other Accept types and persisted-query extensions as Apollo does', async () => {
    const graphqlResponse = await same(`query($id: ID!) { task(id: $id) { id } }`, { id }, { headers: { accept: 'application/graphql-response+json' } });
    expect(graphqlResponse.contentType).toBe('application/graphql-response+json; charset=utf-8');
    const body = JSON.stringify({ extensions: { persistedQuery: { version: 1, sha256Hash: 'ab'.repeat(32) } } });
    const [a, b] = await Promise.all([send(direct, { body }), send(apollo, { body })]);
    expect(a).toEqual(b);
    expect(a.body).toMatchObject({ errors: [{ extensions: { code: 'PERSISTED_QUERY_NOT_FOUND' } }] });
  });
});
