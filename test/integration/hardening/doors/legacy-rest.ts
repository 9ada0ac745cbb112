import type { TestServer } from '../../../helpers/server';
import { testKeys } from '../../../helpers/server';
import { signedHeaders } from '../../../helpers/signing';
import { type HostileDoor, type Outcome, type Rng, rng, send, sendRaw } from '../hostile-kit';
import type { Seeded } from './graphql-http';

/**
 * The legacy REST door: paths, methods, headers and bodies no caller should send. Every write
 * here is wrong somewhere (body, state, key, signature), so none may be served; reads may be.
 */
type Attack = (r: Rng, server: TestServer, seeded: Seeded) => Promise<Outcome>;

const prefixes = ['/api/virtshell/v1', ''];
const unknownId = '00000000-0000-4000-8000-000000000000';

interface RestOptions {
  user?: 'writer' | 'reader' | false;
  contentType?: string;
  headers?: Record<string, string>;
}

/** Signed (by default with the writer key) over node:http, with the path exactly as given. */
function rest(server: TestServer, method: string, path: string, body?: string | Buffer, options: RestOptions = {}): Promise<Outcome> {
  const signed = options.user === false ? {} : signedHeaders(testKeys[options.user ?? 'writer'], { method, host: server.host, path, body, contentType: options.contentType });
  return send(server.port, method, path, { accept: 'application/json', ...signed, ...options.headers }, body);
}

function junk(r: Rng, length: number): string {
  const alphabet = ['a', 'é', '\u0000', '"', '\\', '\n', '💥', '\ud800', '<', '%', "'", ';', '\u202e', ' '];
  let s = '';
  for (let i = 0; i < length; i++) s += r.pick(alphabet);
  return s;
}

const prefix = (r: Rng) => r.pick(prefixes);
const taskPath = (r: Rng, seeded: Seeded) => `${prefix(r)}/tasks/${r.pick([seeded.pending, seeded.final, seeded.pending.toUpperCase(), unknownId])}`;
// Not status words (any word of letters, digits, spaces, _ and -, up to 64, is one: 'done' or
// 'PENDING_' is accepted and stored as written); case and surrounding blanks are not bad either.
const badStatusNames = ['success!', 'done?', 'PENDING;', 'in/progress', 'in.progress', 'suc ess!', '', ' ', 'null()', '<0>', 'in%00progress', 'p\u0000ending', 'FAILED'.repeat(50), 'émoji', "o'clock"];
const wrongValues = () => [123, -1, 1e308, true, false, [], ['pending'], {}, { status: 'pending' }];
const statuses = ['pending', 'in progress', 'sucess', 'success', 'failed'];

/** A create body with exactly one thing wrong in it (so it can never be served). */
function badCreate(r: Rng): unknown {
  const base: Record<string, unknown> = { description: 'should never be written', status: r.pick(['pending', 'in progress']) };
  switch (r.int(0, 9)) {
    case 0:
      return { ...base, description: r.pick(wrongValues()) };
    case 1:
      return { ...base, description: r.pick(['', 'x'.repeat(r.int(1025, 20_000)), junk(r, 1025 + r.int(0, 2000))]) };
    case 2:
      return { ...base, status: r.pick([...badStatusNames, 'sucess', 'failed', 'success']) };
    case 3:
      return { ...base, status: r.pick(wrongValues()) };
    case 4:
      return { ...base, type: r.pick(['Not A Type', 'x'.repeat(300), junk(r, 20), 7, [], {}]) };
    case 5:
      return { ...base, object_uuid: r.pick(['not-a-uuid', junk(r, 36), 'x'.repeat(5000), 1, {}]) };
    case 6:
      return { ...base, log: r.pick([junk(r, 65_536 + r.int(1, 5000)), 12, [], { a: 1 }]) };
    case 7:
      return { ...base, uuid: r.pick(['not-a-uuid', '', 'g'.repeat(36), 42, [], r.chance(0.5) ? r.int(0, 1) : 'x']) };
    case 8:
      return { status: base.status, log: 'no description' };
    default:
      return { ...base, uuid: r.pick(['', 'nope']), description: r.pick(wrongValues()) };
  }
}

/** An update body that cannot be served on the seeded tasks (bad field, or a refused transition). */
function badUpdate(r: Rng, seeded: Seeded): { id: string; body: unknown } {
  switch (r.int(0, 5)) {
    case 0:
      // Final tasks stay final.
      return { id: seeded.final, body: { status: r.pick(['pending', 'in progress', 'failed']), log: r.pick([undefined, 'reopen']) } };
    case 1:
      return { id: r.pick([seeded.pending, seeded.final]), body: { status: r.pick(badStatusNames) } };
    case 2:
      return { id: r.pick([seeded.pending, seeded.final]), body: { status: r.pick(wrongValues()), log: r.pick([undefined, 'x']) } };
    case 3:
      return { id: r.pick([seeded.pending, seeded.final]), body: { log: r.pick([junk(r, 65_536 + r.int(1, 3000)), 5, [], {}, true]) } };
    case 4:
      return { id: r.pick([seeded.pending, seeded.final]), body: r.pick([{}, { status: null }, { log: null }, { other: 'field' }]) };
    default:
      return { id: r.pick([unknownId, 'not-a-uuid', 'x'.repeat(r.int(37, 3000)), '%00', '..']), body: { log: 'aimed nowhere' } };
  }
}

function deepJson(r: Rng): string {
  const depth = r.int(100, 50_000);
  const open = r.pick(['[', '{"a":']);
  const close = open === '[' ? ']' : '}';
  return `{"description":${open.repeat(depth)}1${close.repeat(r.chance(0.5) ? depth : r.int(0, depth))}}`;
}

const attacks: Attack[] = [
  // --- paths
  (r, s) =>
    rest(s, r.pick(['GET', 'PUT', 'POST']), r.pick([
      `${prefix(r)}/tasks/../tasks`,
      `${prefix(r)}/tasks/%2e%2e/%2e%2e/etc/passwd`,
      `${prefix(r)}/tasks/..%2f..%2f..%2fetc%2fpasswd`,
      '/api/virtshell/v1/../../tasks/',
      '/api/virtshell/v1/tasks/./status/./pending',
      `${prefix(r)}/tasks/%5c..%5c..%5cwindows`,
      `${prefix(r)}//tasks//`,
      `${prefix(r)}/tasks/status/..`,
      `${prefix(r)}/tasks;jsessionid=1`,
    ]), r.chance(0.5) ? JSON.stringify({ log: 'traversal' }) : undefined),
  (r, s) =>
    rest(s, r.pick(['GET', 'PUT']), `${prefix(r)}/tasks/${r.pick(['%zz', '%', '%0', '%00', '%ff%fe', '%c0%af', '%e2%80%ae', '%uD800', '%25%32%65', '%f0%9f%92%a5', '%0d%0aSet-Cookie:%20x=1', '%22%3E%3Cscript%3E'])}`, r.chance(0.3) ? JSON.stringify({ log: 'junk' }) : undefined),
  (r, s, seeded) => rest(s, r.pick(['GET', 'PUT', 'POST']), `${prefix(r)}/tasks/${r.pick([seeded.pending, 'a'])}${'x'.repeat(r.chance(0.1) ? r.int(10_000, 60_000) : r.int(100, 5000))}`, r.chance(0.3) ? JSON.stringify({ log: 'long' }) : undefined),
  (r, s) => rest(s, 'GET', `${prefix(r)}/tasks/${Array.from({ length: r.int(2, 400) }, () => r.pick(['status', 'a', '..', '.', '%2F', 'pending'])).join('/')}`),
  (r, s) => rest(s, 'GET', `${prefix(r)}/tasks/status/${encodeURIComponent(r.pick(badStatusNames))}`),
  (r, s) => rest(s, 'GET', `${prefix(r)}/tasks/${r.pick(['status/', 'status', 'status/%20', 'STATUS/pending', 'sucess/', 'in progress'.replace(' ', '%20'), 'in+progress'])}`),
  (r, s) => rest(s, 'GET', `${prefix(r)}/tasks/?${r.pick(['limit=abc', 'limit=0', 'limit=-1', 'limit=1e3', 'limit=99999999', `limit=${'9'.repeat(400)}`, 'after=!!!', 'after=', `after=${'A'.repeat(5000)}`, 'limit=1&after=%00', 'limit=1&limit=2', '%%%', 'after[]=1'])}`),
  (r, s, seeded) => rest(s, 'GET', `${taskPath(r, seeded)}?${'q='.repeat(r.int(1, 2000))}`),
  // --- every method
  (r, s, seeded) => {
    const method = r.pick(['DELETE', 'PATCH', 'OPTIONS', 'HEAD', 'TRACE', 'PROPFIND', 'MKCOL', 'LOCK', 'PURGE', 'SEARCH', 'COPY', 'MOVE']);
    // DELETE is served on a task id for write keys: here it goes only where it must be refused.
    if (method === 'DELETE') {
      return r.chance(0.3)
        ? rest(s, 'DELETE', `${prefix(r)}/tasks/${r.pick([seeded.pending, seeded.final])}`, undefined, { user: 'reader' })
        : rest(s, 'DELETE', r.pick([`${prefix(r)}/tasks/`, `${prefix(r)}/tasks`, `${prefix(r)}/tasks/${unknownId}`, `${prefix(r)}/tasks/status/pending`, `${prefix(r)}/tasks/dispatched`, `${prefix(r)}/tasks/${'f'.repeat(35)}`, `${prefix(r)}/tasks/events`]));
    }
    return rest(s, method, r.pick([`${prefix(r)}/tasks/`, taskPath(r, seeded), `${prefix(r)}/tasks/status/pending`]), r.chance(0.5) ? JSON.stringify({ description: 'x', status: 'pending' }) : undefined);
  },
  (r, s, seeded) => rest(s, 'POST', taskPath(r, seeded), JSON.stringify({ description: 'post to an id', status: 'pending' })),
  (r, s) => rest(s, 'PUT', `${prefix(r)}/tasks/`, JSON.stringify({ status: 'failed', log: 'put on the list' })),
  (r, s) => rest(s, r.pick(['PUT', 'POST']), `${prefix(r)}/tasks/status/${r.pick(statuses).replace(' ', '%20')}`, JSON.stringify({ status: 'failed' })),
  // --- headers
  (r, s, seeded) =>
    rest(s, r.pick(['GET', 'POST', 'PUT']), r.pick([`${prefix(r)}/tasks/`, taskPath(r, seeded)]), r.chance(0.5) ? JSON.stringify({ description: 'should never be written' }) : undefined, {
      headers: { accept: r.pick(['text/html', 'image/*', 'application/xml', 'application/json;q=0', 'text/plain, text/html', '', ';;;', 'application/*;q=nope', 'x'.repeat(r.int(100, 8000)), '*/*;q=0']) },
    }),
  // Declared length bigger than the body limit, no body following: refused before reading.
  // (connection: close, so the half-sent request's socket is not reused for the next case.)
  (r, s) => rest(s, 'POST', `${prefix(r)}/tasks/`, undefined, { headers: { 'content-length': String(r.pick([1_048_577, 99_999_999_999])), 'content-md5': 'AAAAAAAAAAAAAAAAAAAAAA==', connection: 'close' } }),
  (r, s) =>
    sendRaw(s.port, Buffer.from(r.pick([
      `POST ${prefix(r)}/tasks/ HTTP/1.1\r\nHost: x\r\nAccept: application/json\r\nContent-Length: ${r.int(100, 1000)}\r\n\r\n{"description":"short"}`,
      `POST ${prefix(r)}/tasks/ HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\n{"description":"longer than declared","status":"pending"}`,
      `PUT ${prefix(r)}/tasks/${unknownId} HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n{}`,
      `PUT ${prefix(r)}/tasks/${unknownId} HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n`,
      `POST ${prefix(r)}/tasks/ HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nfffffffffff\r\nxx\r\n0\r\n\r\n`,
      `GET ${prefix(r)}/tasks/\u00ff\u00fe HTTP/1.1\r\nHost: x\r\n\r\n`,
      `GET ${prefix(r)}/tasks/ HTTP/1.1\r\nHost: x\r\nAccept: ${'a'.repeat(20_000)}\r\n\r\n`,
      `GET ${prefix(r)}/tasks/ HTTP/1.1\r\nHost: x\r\nX-VirtShell-Authorization: \u00ff:\u0001\r\nDate: \u00ff\r\n\r\n`,
      `GET ${prefix(r)}/tasks/ HTTP/1.0\r\n\r\n`,
      `BREW ${prefix(r)}/tasks/ HTTP/1.1\r\nHost: x\r\n\r\n`,
    ]), 'latin1')),
  (r, s, seeded) =>
    rest(s, 'PUT', `${prefix(r)}/tasks/${seeded.final}`, JSON.stringify({ status: r.pick(['pending', 'in progress']) }), {
      headers: { 'if-match': r.pick(['"0"', 'W/"-1"', '*', '"1", "2"', 'garbage', '9'.repeat(40), '']) },
    }),
  (r, s, seeded) => rest(s, 'GET', taskPath(r, seeded), undefined, { headers: { 'if-none-match': r.pick(['*', '"1"', 'W/"x"', ',,,,', 'x'.repeat(5000)]), [r.pick(['x-taskgate-status-spelling', 'x-other'])]: r.pick(['corrected', 'legacy', '\u00ff', '']) } }),
  // --- authentication on every route: valid bodies, never properly signed
  (r, s, seeded) => {
    const body = JSON.stringify(r.chance(0.5) ? { description: 'unsigned', status: 'pending' } : { log: 'unsigned' });
    const path = r.chance(0.5) ? `${prefix(r)}/tasks/` : `${prefix(r)}/tasks/${seeded.pending}`;
    const method = path.endsWith('/') ? 'POST' : 'PUT';
    return rest(s, method, path, body, { user: false, headers: r.chance(0.5) ? {} : { 'x-virtshell-authorization': r.pick(['', ':', 'test-writer:', 'test-writer:AAAA', `${'u'.repeat(300)}:x`]), date: new Date().toUTCString(), 'content-md5': 'x' } });
  },
  (r, s, seeded) => rest(s, r.chance(0.5) ? 'POST' : 'PUT', r.chance(0.5) ? `${prefix(r)}/tasks/` : `${prefix(r)}/tasks/${seeded.pending}`, JSON.stringify({ description: 'reader', status: 'pending', log: 'reader' }), { user: 'reader' }),
  (r, s, seeded) => {
    const body = JSON.stringify({ description: 'skewed', log: 'skewed' });
    const method = r.pick(['POST', 'PUT']);
    const path = method === 'POST' ? `${prefix(r)}/tasks/` : `${prefix(r)}/tasks/${seeded.pending}`;
    const date = new Date(Date.now() + r.pick([-1, 1]) * r.int(16, 100_000) * 60_000);
    const headers = signedHeaders(testKeys.writer, { method, host: s.host, path, body, date, virtshellDate: r.chance(0.5) });
    return send(s.port, method, path, { accept: 'application/json', ...headers }, body);
  },
  (r, s, seeded) => {
    // Signed for one body, another sent (Content-MD5 kept, or left out).
    const method = r.pick(['POST', 'PUT']);
    const path = method === 'POST' ? `${prefix(r)}/tasks/` : `${prefix(r)}/tasks/${seeded.pending}`;
    const headers = signedHeaders(testKeys.writer, { method, host: s.host, path, body: JSON.stringify({ description: 'a', log: 'a' }) });
    if (r.chance(0.3)) delete headers['content-md5'];
    return send(s.port, method, path, { accept: 'application/json', ...headers }, JSON.stringify({ description: 'b', log: 'b' }));
  },
  // --- bodies
  (r, s) => rest(s, 'POST', `${prefix(r)}/tasks/`, JSON.stringify(badCreate(r)), { contentType: r.pick([undefined, 'application/json', 'text/plain', 'application/x-www-form-urlencoded']) }),
  (r, s) => rest(s, 'POST', `${prefix(r)}/tasks/`, JSON.stringify(badCreate(r))),
  (r, s, seeded) => {
    const { id, body } = badUpdate(r, seeded);
    return rest(s, 'PUT', `${prefix(r)}/tasks/${id}`, JSON.stringify(body));
  },
  (r, s, seeded) => {
    const { id, body } = badUpdate(r, seeded);
    return rest(s, 'PUT', `${prefix(r)}/tasks/${id}`, JSON.stringify(body), { contentType: 'application/json' });
  },
  (r, s, seeded) => rest(s, r.pick(['POST', 'PUT']), r.pick([`${prefix(r)}/tasks/`, `${prefix(r)}/tasks/${seeded.pending}`]), deepJson(r)),
  (r, s, seeded) =>
    rest(s, r.pick(['POST', 'PUT']), r.pick([`${prefix(r)}/tasks/`, `${prefix(r)}/tasks/${seeded.pending}`]), r.pick(['"pending"', '1', 'null', '[]', '[{"description":"x"}]', 'true', '""', '{', '}', '{"status":', "{'status':'failed'}", '{"status":"failed",}', 'status=failed', '\uFEFF', '\uFEFF[]', ' ', 'NaN', '{"description":"x"}{"description":"y"}'])),
  (r, s, seeded) =>
    // Invalid UTF-8 in and around strings: whatever it decodes to, never a write.
    rest(s, r.pick(['POST', 'PUT']), r.pick([`${prefix(r)}/tasks/`, `${prefix(r)}/tasks/${seeded.final}`]), Buffer.concat([Buffer.from('{"description":"'), Buffer.from(r.pick([[0xff, 0xfe], [0xc3, 0x28], [0xed, 0xa0, 0x80], [0xf8, 0x88, 0x80, 0x80, 0x80], [0xc0, 0xaf]])), Buffer.from(`","status":"${r.pick(['sucess', 'bogus!'])}","log":"\u0000"}`)])),
  (r, s, seeded) => rest(s, 'PUT', `${prefix(r)}/tasks/${seeded.final}`, JSON.stringify({ status: `pending\u0000${r.pick(['', 'x'])}`, log: `null\u0000byte${'\u0000'.repeat(r.int(1, 100))}` })),
  (r, s) => rest(s, 'POST', `${prefix(r)}/tasks/`, JSON.stringify({ description: `nul\u0000${'\u0000'.repeat(r.int(0, 50))}`, status: r.pick(['sucess', 'failed', 'success', 'bogus!']) })),
  (r, s) => rest(s, 'POST', `${prefix(r)}/tasks/`, r.chance(0.1) ? 'x'.repeat(r.int(1_048_577, 1_100_000)) : junk(r, r.int(1, 5000))),
  (r, s) => rest(s, 'POST', `${prefix(r)}/tasks/`, Buffer.alloc(r.int(1, 2000), r.int(0, 255))),
];

/** The legacy Tasks REST API at both prefixes: paths, methods, headers, bodies and signatures. */
export function legacyRestDoor(server: TestServer, seeded: Seeded, cases: number, seed: number): HostileDoor {
  return {
    name: 'legacy-rest',
    cases,
    attack: (i) => attacks[i % attacks.length](rng(seed * 1_000_033 + i), server, seeded),
    judge(outcome) {
      if (outcome.status >= 500 || outcome.status === -1) return `status ${outcome.status}`;
      if (outcome.status === 0) return `no answer (${outcome.body})`;
      if (/"(create|update|delete)":"success"/.test(outcome.body)) return 'a write was served';
      if (/stack|INTERNAL_SERVER_ERROR|internal server error/i.test(outcome.body)) return 'an internal error leaked';
      // Every refusal is JSON (the HTTP parser's own 400 for broken framing excepted).
      if (outcome.status >= 400 && outcome.body !== '' && !outcome.body.startsWith('HTTP/') && !isJson(outcome.body)) return 'a refusal that is not JSON';
      return undefined;
    },
  };
}

function isJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}
