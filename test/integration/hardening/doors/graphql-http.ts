import type { TestServer } from '../../../helpers/server';
import { testKeys } from '../../../helpers/server';
import { signedHeaders } from '../../../helpers/signing';
import { type HostileDoor, type Outcome, type Rng, rng, send, sendRaw } from '../hostile-kit';

/** Ids of tasks seeded before the attack: hostile updates aim at them. */
export interface Seeded {
  pending: string;
  final: string;
}

const validMutation = 'mutation { createTask(input: {description: "should never be written"}) { id } }';
const words = ['{', '}', '(', ')', '[', ']', ':', '$', '!', '@', '...', '=', '"', 'query', 'mutation', 'subscription', 'fragment', 'on', 'tasks', 'task', 'id', 'edges', 'node', 'history', 'first', 'createTask', 'input', '#', '\\u0000', '"""', '1e999', '-0', 'null'];

/** Every kind of hostile input this door knows; case i uses kinds[i % kinds.length]. */
type Attack = (r: Rng, server: TestServer, seeded: Seeded) => Promise<Outcome>;

function post(server: TestServer, body: string | Buffer, options: { user?: 'writer' | 'reader' | false; contentType?: string; headers?: Record<string, string>; method?: string; path?: string } = {}) {
  const method = options.method ?? 'POST';
  const path = options.path ?? '/graphql';
  const contentType = options.contentType ?? 'application/json';
  const signed = options.user === false ? {} : signedHeaders(testKeys[options.user ?? 'writer'], { method, host: server.host, path, body, contentType });
  return send(server.port, method, path, { 'content-type': contentType, ...signed, ...options.headers }, body);
}

const gqlBody = (query: string, variables?: unknown) => JSON.stringify({ query, variables });

function nested(depth: number, leaf: string): string {
  let doc = leaf;
  for (let d = 0; d < depth; d++) doc = `history(first: 1) { task { ${doc} } }`;
  return `{ task(id: "00000000-0000-0000-0000-000000000000") { ${doc} } }`;
}

function junkString(r: Rng, length: number): string {
  const alphabet = ['a', 'é', '\u0000', '"', '\\', '\n', '💥', '\ud800', '<', '%', "'", ';'];
  let s = '';
  for (let i = 0; i < length; i++) s += r.pick(alphabet);
  return s;
}

const attacks: Attack[] = [
  // --- authentication: a perfectly valid mutation, never signed properly -> refused, nothing written
  (r, s) => post(s, gqlBody(validMutation), { user: false }),
  (r, s) => post(s, gqlBody(validMutation), { user: false, headers: { 'x-virtshell-authorization': r.pick(['', ':', 'a:', ':b', 'no-colon', `${'u'.repeat(300)}:x`, 'test-writer:%%%', 'test-writer:' + 'A'.repeat(r.int(1, 200))]), date: new Date().toUTCString() } }),
  (r, s) => {
    const body = gqlBody(validMutation);
    const headers = signedHeaders(testKeys.writer, { method: 'POST', host: s.host, path: '/graphql', body, contentType: 'application/json' });
    headers.date = r.pick(['', 'yesterday', 'Thu, 01 Jan 1970 00:00:00 GMT', '9999-12-31T23:59:59Z', 'x'.repeat(500), String(r.int(0, 2 ** 31))]);
    return send(s.port, 'POST', '/graphql', { 'content-type': 'application/json', ...headers }, body);
  },
  (r, s) => {
    const body = gqlBody(validMutation);
    const skewed = new Date(Date.now() + r.pick([-1, 1]) * r.int(16, 10_000) * 60_000);
    const headers = signedHeaders(testKeys.writer, { method: 'POST', host: s.host, path: '/graphql', body, contentType: 'application/json', date: skewed });
    return send(s.port, 'POST', '/graphql', { 'content-type': 'application/json', ...headers }, body);
  },
  (r, s) => post(s, gqlBody(validMutation), { user: false, headers: signedHeaders({ user: r.pick(['test-writer', 'ghost', 'admin']), secret: junkString(r, 8) }, { method: 'POST', host: s.host, path: '/graphql', body: gqlBody(validMutation), contentType: 'application/json' }) }),
  (r, s) => post(s, gqlBody(validMutation), { user: 'reader' }),
  (r, s) => {
    // Signed for another body than the one sent (Content-MD5 kept): 400, not served.
    const headers = signedHeaders(testKeys.writer, { method: 'POST', host: s.host, path: '/graphql', body: gqlBody('{ tasks { totalCount } }'), contentType: 'application/json' });
    return send(s.port, 'POST', '/graphql', { 'content-type': 'application/json', ...headers }, gqlBody(validMutation));
  },
  // --- bodies that are not what they claim
  (r, s) => post(s, gqlBody(validMutation).slice(0, r.int(0, 40))),
  (r, s) => post(s, Buffer.from([0x7b, 0x22, 0x71, 0x22, 0x3a, 0x22, 0xff, 0xfe, 0xc3, 0x28, 0x00, 0x22, 0x7d])),
  (r, s) => post(s, JSON.stringify({ query: r.pick([123, null, true, [], {}, '', '\u0000']), variables: r.pick(['x', 1, [], null]) })),
  (r, s) => post(s, JSON.stringify({ query: '{ tasks { totalCount } }', operationName: r.pick([[], 1, {}, 'Missing']), extensions: r.pick(['x', 1]) })),
  (r, s) => post(s, JSON.stringify([{ query: validMutation }, { query: validMutation }])),
  (r, s) => post(s, JSON.stringify({ query: validMutation.replace('"should never be written"', '$d'), variables: { d: '[['.repeat(r.int(1000, 5000)) } })),
  (r, s) => post(s, `{"query":"{ tasks { totalCount } }","variables":${'['.repeat(r.int(500, 20_000))}${']'.repeat(r.int(0, 10))}}`),
  (r, s) => post(s, gqlBody('mutation($d: String!) { createTask(input: {description: $d}) { id } }', { d: junkString(r, r.chance(0.05) ? r.int(1025, 60_000) : r.int(1025, 3000)) })),
  (r, s) => post(s, r.chance(0.1) ? 'x'.repeat(r.int(1_048_577, 1_060_000)) : junkString(r, r.int(1, 5000))),
  (r, s) => post(s, gqlBody(validMutation), { contentType: r.pick(['text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', '', 'application/graphql']) }),
  // --- GraphQL documents
  (r, s) => post(s, gqlBody(nested(r.int(3, 20), 'id'))),
  (r, s) => post(s, gqlBody(`{ ${Array.from({ length: r.int(16, 60) }, (_, i) => `a${i}: tasks { totalCount }`).join(' ')} }`)),
  (r, s) => post(s, gqlBody(`{ tasks(first: ${r.int(1, 500)}) { edges { node { ${'history { task { '.repeat(r.int(1, 3))} id ${'} } '.repeat(0)} } } } }`)),
  (r, s) => post(s, gqlBody(`{ tasks { ${Array.from({ length: r.chance(0.02) ? 2000 : r.int(20, 200) }, () => 'totalCount').join(' ')} } }`)),
  (r, s) => post(s, gqlBody(Array.from({ length: r.int(1, 80) }, () => r.pick(words)).join(' '))),
  (r, s) => post(s, gqlBody(`query { tasks { edges { node { ...A } } } } fragment A on Task { history { task { ...${r.pick(['A', 'B'])} } } } fragment B on Task { ...A }`)),
  (r, s) => post(s, gqlBody(`{ tasks ${'@skip(if: false) '.repeat(r.int(1, 50))} { totalCount } }`)),
  (r, s) => post(s, gqlBody(`{ ${r.pick(['taks', '__schema { types { fields { type { ofType { ofType { ofType { name } } } } } } }', '__type(name: "Task") { name }', 'tasks(first: -1) { totalCount }', 'tasks(first: 99999999999) { totalCount }', 'task(id: 1) { id }', 'tasks(after: "!!!") { totalCount }'])} }`)),
  (r, s) => post(s, gqlBody('query Q { tasks { totalCount } } query Q { tasks { totalCount } }')),
  (r, s) => post(s, gqlBody('{ tasks { totalCount } } mutation { createTask(input: {description: "two ops"}) { id } }')),
  (r, s) => post(s, gqlBody('subscription { taskStatusChanged { id } }')),
  // --- the cost-limit attacks of issue 13: refused, never answered in full
  (r, s) =>
    post(s, gqlBody(`query Q($id: ID = "00000000-0000-4000-8000-000000000000") { task(id: $id) { id } ${Array.from({ length: r.int(1, 14) }, (_, i) => `a${i}: tasks(first: 500) { edges { node { history(first: 500) { task { description } } } } }`).join(' ')} }`, { id: null }), { user: r.pick(['reader', 'writer'] as const) }),
  (r, s) => post(s, gqlBody('query Q($x: Boolean!) { lastEventId a: tasks(first: 500) @include(if: $x) { edges { node { history(first: 500) { task { description } } } } } }', { x: r.chance(0.5) })),
  (r, s) => post(s, gqlBody(`{ lastEventId } #${'x'.repeat(r.int(33_000, 120_000))}`)),
  (r, s) => post(s, gqlBody(`query P($n: Int) { tasks(first: $n) { totalCount edges { node { log history(first: $n) { log } } } } }`, { n: r.int(1, 500), [`u${r.int(0, 1e6)}`]: r.int(0, 1e6) })),
  (r, s) => post(s, gqlBody(`{ ${Array.from({ length: r.int(2, 15) }, (_, i) => `c${i}: tasks(status: ${r.pick(['PENDING', 'FAILED'])}) { totalCount }`).join(' ')} }`)),
  // --- mutations with wrong variables or refused input: never written
  (r, s) =>
    post(s, gqlBody('mutation($i: CreateTaskInput!) { createTask(input: $i) { id } }', {
      i: r.pick([
        { description: '' },
        { description: 'x'.repeat(1025) },
        { description: 'ok', type: 'Not A Type' },
        { description: 'ok', objectUuid: 'not-a-uuid' },
        { description: 'ok', status: r.pick(['SUCCESS', 'FAILED', 'sucess', 'DONE', 3]) },
        { description: 123 },
        { description: null },
        { description: 'ok', extra: true },
        { description: 'ok', log: 'x'.repeat(70_000) },
        'string',
        [],
        null,
      ]),
    })),
  (r, s, seeded) =>
    post(s, gqlBody('mutation($id: ID!, $i: UpdateTaskInput!, $v: Int) { updateTask(id: $id, input: $i, expectedVersion: $v) { id } }', {
      id: r.pick([seeded.final, seeded.pending, '00000000-0000-0000-0000-000000000000', 'nope', 42]),
      i: r.pick([{ status: 'PENDING' }, { status: 'BOGUS' }, { log: 7 }, {}, { status: null }]),
      v: r.pick([99, -1, 'one', 2 ** 40]),
    })),
  (r, s, seeded) => post(s, gqlBody(`mutation { updateTask(id: "${seeded.final}", input: {status: ${r.pick(['PENDING', 'IN_PROGRESS'])}}) { id } }`)),
  // --- protocol
  (r, s) => post(s, gqlBody(validMutation), { method: r.pick(['PUT', 'DELETE', 'PATCH', 'OPTIONS', 'PROPFIND', 'HEAD']) }),
  (r, s) => post(s, '', { method: 'GET', path: `/graphql?query=${encodeURIComponent(validMutation)}`, headers: { 'apollo-require-preflight': '1' } }),
  (r, s) => post(s, '', { method: 'GET', path: `/graphql?${r.pick(['query=', 'query=%7B', 'variables=%7B', 'query=%7B%20tasks%20%7B%20totalCount%20%7D%20%7D&variables=nope', '%%%', 'a'.repeat(4000)])}`, headers: { 'apollo-require-preflight': '1' } }),
  (r, s) => post(s, gqlBody(validMutation), { path: r.pick(['/graphql/../graphql', '/GRAPHQL', '/graphql%00', '//graphql', `/${'a/'.repeat(r.int(10, 2000))}`, '/graphql;x', '/%2e%2e/']) }),
  (r, s) => sendRaw(s.port, Buffer.from(r.pick([
    'GET /graphql HTTP/1.1\r\nHost: x\r\n\r\n',
    'POST /graphql HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n',
    'POST /graphql HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nxx\r\n0\r\n\r\n',
    'POST /graphql HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\n{}',
    'GARBAGE\r\n\r\n',
    'GET /gra\u0000phql HTTP/1.1\r\nHost: x\r\n\r\n',
    `GET /graphql HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`,
    'POST /graphql HTTP/1.1\r\nHost: x\r\nX-VirtShell-Authorization: \u00ff\u00fe:\u0001\r\nContent-Length: 2\r\n\r\n{}',
    'GET / HTTP/9.9\r\n\r\n',
  ]), 'latin1')),
];

/** GraphQL over HTTP: authentication, bodies, documents, variables, methods, paths and raw bytes. */
export function graphqlHttpDoor(server: TestServer, seeded: Seeded, cases: number, seed: number): HostileDoor {
  return {
    name: 'graphql-http',
    cases,
    attack: (i) => attacks[i % attacks.length](rng(seed * 1_000_003 + i), server, seeded),
    judge(outcome) {
      if (outcome.status >= 500 || outcome.status === -1) return `status ${outcome.status}`;
      if (/INTERNAL_SERVER_ERROR|stacktrace/.test(outcome.body)) return 'an internal error leaked';
      if (outcome.status >= 200 && outcome.status < 300 && /"data":\{"(createTask|updateTask)"/.test(outcome.body)) return 'a write was served';
      return undefined;
    },
  };
}
