import { databaseKinds } from '../../helpers/databases';
import { startServer, testKeys, type TestServer } from '../../helpers/server';
import { md5Base64, type SignInput, signedHeaders } from '../../helpers/signing';

/**
 * The signature scheme as LEGACY-CALLERS.md designs it, checked with the independent signer in
 * test/helpers/signing.ts. Each door is a row (GraphQL over HTTP and the legacy REST routes, at
 * both prefixes, with and without Content-Type); every case below runs on every row.
 */
interface DoorCase {
  name: string;
  method: string;
  /** `:id` stands for a task seeded before the suite (PUT and GET by id aim at it). */
  path: string;
  /** Writes change something (a mutation, a POST/PUT) and are guarded against replays; reads are not. */
  write: boolean;
  /** The body this door's request carries (undefined: none, as a GET). */
  body?: () => string;
  /** For a write door: a read on the same door a read key may make. */
  readBody?: () => string;
  /** Sent (and signed) as Content-Type; undefined sends none, as the legacy dispatcher does. */
  contentType?: string;
  extraHeaders?: Record<string, string>;
  /** Status of an accepted request. */
  ok: number;
  /** How a read-only key's write is refused (write doors). */
  forbidden?: (response: { status: number; body: any }) => void;
}

let counter = 0;
const legacyPrefix = '/api/virtshell/v1';
const restForbidden = (response: { status: number; body: any }) => {
  expect(response.status).toBe(403);
  expect(response.body.error).toBeDefined();
};
const restCreate = () => JSON.stringify({ description: `conformance ${++counter}`, status: 'in progress' });
const restUpdate = () => JSON.stringify({ log: `conformance ${++counter}` });
const doors: DoorCase[] = [
  {
    name: 'POST /graphql',
    method: 'POST',
    path: '/graphql',
    write: true,
    readBody: () => JSON.stringify({ query: '{ tasks { totalCount } }' }),
    body: () => JSON.stringify({ query: 'mutation($d: String!) { createTask(input: {description: $d}) { id created { by } } }', variables: { d: `conformance ${++counter}` } }),
    contentType: 'application/json',
    ok: 200,
    forbidden: (response) => {
      expect(response.status).toBe(200);
      expect(response.body.errors[0].extensions.code).toBe('FORBIDDEN');
    },
  },
  { name: `GET ${legacyPrefix}/tasks/:id`, method: 'GET', path: `${legacyPrefix}/tasks/:id`, write: false, ok: 200 },
  { name: 'GET /tasks/ (root prefix)', method: 'GET', path: '/tasks/', write: false, ok: 200 },
  { name: `POST ${legacyPrefix}/tasks/ with Content-Type`, method: 'POST', path: `${legacyPrefix}/tasks/`, write: true, body: restCreate, contentType: 'application/json', ok: 200, forbidden: restForbidden },
  { name: 'POST /tasks/ without Content-Type', method: 'POST', path: '/tasks/', write: true, body: restCreate, ok: 200, forbidden: restForbidden },
  { name: `PUT ${legacyPrefix}/tasks/:id with Content-Type`, method: 'PUT', path: `${legacyPrefix}/tasks/:id`, write: true, body: restUpdate, contentType: 'application/json', ok: 200, forbidden: restForbidden },
  { name: 'PUT /tasks/:id without Content-Type (as the dispatcher sends it)', method: 'PUT', path: '/tasks/:id', write: true, body: restUpdate, ok: 200, forbidden: restForbidden },
];

const writer = testKeys.writer;

describe.each(databaseKinds())('request signatures on %s', (kind) => {
  let server: TestServer;
  /** A pending task that the PUT and GET-by-id doors aim at. */
  let taskId: string;
  beforeAll(async () => {
    server = await startServer(kind);
    taskId = (await server.gql('mutation { createTask(input: {description: "conformance target"}) { id } }')).data!.createTask.id;
  });
  afterAll(() => server.stop());

  const pathOf = (door: DoorCase) => door.path.replace(':id', taskId);

  async function send(door: DoorCase, body: string | undefined, headers: Record<string, string>, method = door.method, path = pathOf(door)) {
    // Bytes, not a string: fetch would label a string text/plain, and some doors send no Content-Type.
    const response = await fetch(`${server.baseUrl}${path}`, { method, headers: { ...door.extraHeaders, ...headers }, body: body === undefined ? undefined : Buffer.from(body) });
    const text = await response.text();
    let parsed: any = text;
    try {
      parsed = JSON.parse(text);
    } catch {
      // keep text
    }
    return { status: response.status, body: parsed };
  }

  function sign(door: DoorCase, body: string | undefined, overrides: Partial<SignInput> = {}, credentials: { user: string; secret: string } = writer) {
    return signedHeaders(credentials, { method: door.method, host: server.host, path: pathOf(door), body, contentType: door.contentType, ...overrides });
  }

  /** Everything a refused request must leave alone. */
  const written = async () => ({
    tasks: await server.app.dataSource.query('SELECT uuid, status, log, version FROM tasks ORDER BY uuid'),
    events: (await server.app.dataSource.query('SELECT COUNT(*) AS n FROM task_events'))[0].n.toString(),
  });

  describe.each(doors)('on $name', (door) => {
    const bodyOf = () => door.body?.();

    it('accepts a request signed with X-VirtShell-Authorization, Date and (with a body) Content-MD5', async () => {
      const body = bodyOf();
      const response = await send(door, body, sign(door, body));
      expect(response.status).toBe(door.ok);
      if (door.path === '/graphql') expect(response.body.data.createTask.created.by).toBe(writer.user);
      if (door.method === 'POST' && door.path !== '/graphql') {
        expect(response.body.create).toBe('success');
        const created = await server.gql('query($id: ID!) { task(id: $id) { created { by } } }', { id: response.body.task_id });
        expect(created.data!.task.created.by).toBe(writer.user);
      }
      if (door.method === 'PUT') expect(response.body).toEqual({ update: 'success' });
      if (door.path.endsWith(':id') && door.method === 'GET') expect(response.body.uuid).toBe(taskId);
      if (door.method === 'GET' && door.path.endsWith('/tasks/')) expect(Array.isArray(response.body.tasks)).toBe(true);
    });

    it('accepts the same signature in a plain Authorization header', async () => {
      const body = bodyOf();
      expect((await send(door, body, sign(door, body, { plainAuthorization: true }))).status).toBe(door.ok);
    });

    it('signs X-VirtShell-Date in place of Date when a browser cannot set Date', async () => {
      const body = bodyOf();
      const headers = sign(door, body, { virtshellDate: true });
      expect(headers.date).toBeUndefined();
      expect(headers['x-virtshell-date']).toBeDefined();
      expect((await send(door, body, headers)).status).toBe(door.ok);
    });

    if (door.body) {
      it('refuses a body without Content-MD5 by default, naming the missing header', async () => {
        const before = await written();
        const body = bodyOf();
        const response = await send(door, body, sign(door, body, { md5: false }));
        expect(response.status).toBe(401);
        expect(response.body.error).toBe('MissingContentMD5');
        expect(await written()).toEqual(before);
      });

      it('refuses a body whose Content-MD5 does not match with 400', async () => {
        const before = await written();
        const body = bodyOf()!;
        const headers = sign(door, body);
        const response = await send(door, body.replace('conformance', 'tampered!!!'), headers);
        expect(response.status).toBe(400);
        expect(response.body.error).toBe('BadDigest');
        expect(await written()).toEqual(before);
      });
    }

    type Tampered = { headers: Record<string, string>; body: string | undefined };
    const tampered: [string, (door: DoorCase, body: string | undefined) => Tampered][] = [
      ['method', (d, body) => ({ headers: sign(d, body, { method: d.method === 'PUT' ? 'POST' : 'PUT' }), body })],
      ['host', (d, body) => ({ headers: sign(d, body, { host: 'evil.example:80' }), body })],
      ['path', (d, body) => ({ headers: sign(d, body, { path: `${pathOf(d)}x` }), body })],
      ['date', (d, body) => ({ headers: { ...sign(d, body, { date: new Date(Date.now() - 60_000) }), date: new Date().toUTCString() }, body })],
      ['content type', (d, body) => ({ headers: { ...sign(d, body, { contentType: 'text/plain' }), 'content-type': d.contentType ?? 'application/json' }, body })],
    ];
    if (door.body) {
      tampered.push([
        'body (with its Content-MD5 recomputed)',
        (d, body) => {
          const other = body!.replace('conformance', 'tampered!!!');
          return { headers: { ...sign(d, body), 'content-md5': md5Base64(other) }, body: other };
        },
      ]);
    }
    it.each(tampered)('refuses a request whose signed %s was changed with 401', async (_part, tamper) => {
      const before = await written();
      const t = tamper(door, bodyOf());
      const response = await send(door, t.body, t.headers);
      expect(response.status).toBe(401);
      expect(response.body.error).toBe('SignatureDoesNotMatch');
      expect(await written()).toEqual(before);
    });

    it('accepts a Date just inside the 15-minute window and refuses one just outside, either way', async () => {
      const minutes = (m: number) => new Date(Date.now() + m * 60_000);
      for (const [date, status] of [
        [minutes(-14.9), door.ok],
        [minutes(14.9), door.ok],
        [minutes(-15.1), 401],
        [minutes(15.1), 401],
      ] as const) {
        const body = bodyOf();
        const response = await send(door, body, sign(door, body, { date }));
        expect(response.status).toBe(status);
        if (status === 401) expect(response.body.error).toBe('RequestTimeTooSkewed');
      }
    });

    if (door.write) {
      it('refuses a replay of the exact same signed write, and the replay writes nothing', async () => {
        const body = bodyOf();
        const headers = sign(door, body);
        expect((await send(door, body, headers)).status).toBe(door.ok);
        const before = await written();
        const replay = await send(door, body, headers);
        expect(replay.status).toBe(401);
        expect(replay.body.error ?? replay.body.errors?.[0]?.extensions?.reason).toBe('RequestReplayed');
        expect(await written()).toEqual(before);
      });
    } else {
      it('serves the exact same signed read twice in the same second (polling is not a replay)', async () => {
        const headers = sign(door, undefined);
        const first = await send(door, undefined, headers);
        const second = await send(door, undefined, headers);
        expect([first.status, second.status]).toEqual([door.ok, door.ok]);
        expect(second.body).toEqual(first.body);
      });
    }

    it('answers an unknown user exactly as it answers a wrong signature', async () => {
      const body = bodyOf();
      // Signed at the same instant: the answer shows the string expected to be signed, date included.
      const date = new Date();
      const unknown = await send(door, body, sign(door, body, { date }, { user: 'nobody-here', secret: writer.secret }));
      const wrong = await send(door, body, sign(door, body, { date }, { user: writer.user, secret: 'not-the-secret' }));
      expect(unknown.status).toBe(401);
      expect(unknown).toEqual(wrong);
    });

    it('refuses requests without a signature or without a date', async () => {
      const body = bodyOf();
      const missing = await send(door, body, door.contentType ? { 'content-type': door.contentType } : {});
      expect(missing.status).toBe(401);
      expect(missing.body.error).toBe('MissingAuthorization');
      const headers = sign(door, body);
      delete headers.date;
      const undated = await send(door, body, headers);
      expect(undated.status).toBe(401);
      expect(undated.body.error).toBe('MissingDate');
    });

    if (door.write) {
      it('lets a read key read but not write, and its write changes nothing', async () => {
        if (door.readBody) {
          const body = door.readBody();
          expect((await send(door, body, sign(door, body, {}, testKeys.reader))).status).toBe(door.ok);
        }
        const before = await written();
        const body = bodyOf();
        door.forbidden!(await send(door, body, sign(door, body, {}, testKeys.reader)));
        expect(await written()).toEqual(before);
      });
    } else {
      it('lets a read key read', async () => {
        expect((await send(door, undefined, sign(door, undefined, {}, testKeys.reader))).status).toBe(door.ok);
      });
    }
  });

  it('serves two identical signed reads in the same second (polling is not a replay)', async () => {
    const body = JSON.stringify({ query: '{ tasks { totalCount } }' });
    const headers = signedHeaders(writer, { method: 'POST', host: server.host, path: '/graphql', body, contentType: 'application/json' });
    for (let i = 0; i < 2; i++) {
      const response = await fetch(`${server.baseUrl}/graphql`, { method: 'POST', headers, body });
      expect(response.status).toBe(200);
    }
  });

  it('accepts a signed GET /graphql with no body, MD5 or type, its query string signed, without a CSRF preflight header', async () => {
    const path = `/graphql?query=${encodeURIComponent('{ tasks { totalCount } }')}`;
    const headers = signedHeaders(writer, { method: 'GET', host: server.host, path });
    const response = await fetch(`${server.baseUrl}${path}`, { headers });
    expect(response.status).toBe(200);
    expect(((await response.json()) as any).data.tasks.totalCount).toEqual(expect.any(Number));
  });

  it('signs the query parameters sorted by name then value and RFC 3986 encoded, whatever order and spelling they are sent in', async () => {
    // Sent in another order, with `+` for a space and a lower-case escape: the canonical form is the same.
    const signedAs = `/tasks/?limit=2&status=in%20progress&after=`;
    const sentAs = `/tasks/?status=in+progress&after&limit=%32`;
    const headers = signedHeaders(writer, { method: 'GET', host: server.host, path: signedAs });
    const response = await fetch(`${server.baseUrl}${sentAs}`, { headers });
    expect(response.status).toBe(200);
    const changed = await fetch(`${server.baseUrl}/tasks/?limit=3&status=in+progress&after`, { headers });
    expect(changed.status).toBe(401);
    expect(((await changed.json()) as any).stringToSign).toMatch(/\n\/tasks\/\?after=&limit=3&status=in%20progress$/);
  });

  it('still accepts an RFC 1123 Date, as legacy callers send it', async () => {
    const headers = signedHeaders(writer, { method: 'GET', host: server.host, path: '/tasks/', dateFormat: 'http' });
    expect(headers.date).toMatch(/GMT$/);
    expect((await fetch(`${server.baseUrl}/tasks/`, { headers })).status).toBe(200);
  });

  it('records the authenticated user as the author, whatever the input says', async () => {
    const created = await server.gql(`mutation { createTask(input: {description: "who made me"}) { id created { by } } }`, {}, { user: 'writer' });
    expect(created.data!.createTask.created.by).toBe(writer.user);
    const updated = await server.gql(`mutation($id: ID!) { updateTask(id: $id, input: {status: IN_PROGRESS}) { history { by } } }`, { id: created.data!.createTask.id });
    expect(updated.data!.updateTask.history.map((e: { by: string }) => e.by)).toEqual([writer.user, writer.user]);
  });
});

describe('TASKGATE_REQUIRE_BODY_MD5=off', () => {
  it('accepts a signed body without Content-MD5 (for callers behind TLS that cannot send it)', async () => {
    const server = await startServer('sqlite', { TASKGATE_REQUIRE_BODY_MD5: 'off' });
    try {
      const body = JSON.stringify({ query: '{ tasks { totalCount } }' });
      const headers = signedHeaders(writer, { method: 'POST', host: server.host, path: '/graphql', body, contentType: 'application/json', md5: false });
      const response = await fetch(`${server.baseUrl}/graphql`, { method: 'POST', headers, body });
      expect(response.status).toBe(200);
    } finally {
      await server.stop();
    }
  });
});

describe('TASKGATE_CLOCK_SKEW', () => {
  it('narrows the accepted window', async () => {
    const server = await startServer('sqlite', { TASKGATE_CLOCK_SKEW: '60' });
    try {
      const body = JSON.stringify({ query: '{ tasks { totalCount } }' });
      const headers = signedHeaders(writer, { method: 'POST', host: server.host, path: '/graphql', body, contentType: 'application/json', date: new Date(Date.now() - 120_000) });
      const response = await fetch(`${server.baseUrl}/graphql`, { method: 'POST', headers, body });
      expect(response.status).toBe(401);
      expect(((await response.json()) as any).error).toBe('RequestTimeTooSkewed');
    } finally {
      await server.stop();
    }
  });
});
