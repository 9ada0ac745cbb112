import { databaseKinds } from '../../helpers/databases';
import { startServer, testKeys, type TestServer } from '../../helpers/server';
import { md5Base64, type SignInput, signedHeaders } from '../../helpers/signing';

/**
 * The signature scheme as LEGACY-CALLERS.md designs it, checked with the independent signer in
 * test/helpers/signing.ts. Each door is a row: the lead adds the legacy REST rows
 * (GET/POST/PUT /tasks...) at merge; every case below then runs on them too.
 */
interface DoorCase {
  name: string;
  method: string;
  path: string;
  /** A body for a read on this door (undefined: none). */
  readBody?: () => string;
  /** A body for a write (a mutation, a POST/PUT). */
  writeBody: () => string;
  contentType?: string;
  extraHeaders?: Record<string, string>;
  /** Status of an accepted request, and how a read-only key's write is refused. */
  ok: number;
  forbidden: (response: { status: number; body: any }) => void;
}

let counter = 0;
const doors: DoorCase[] = [
  {
    name: 'POST /graphql',
    method: 'POST',
    path: '/graphql',
    readBody: () => JSON.stringify({ query: '{ tasks { totalCount } }' }),
    writeBody: () => JSON.stringify({ query: 'mutation($d: String!) { createTask(input: {description: $d}) { id created { by } } }', variables: { d: `conformance ${++counter}` } }),
    contentType: 'application/json',
    ok: 200,
    forbidden: (response) => {
      expect(response.status).toBe(200);
      expect(response.body.errors[0].extensions.code).toBe('FORBIDDEN');
    },
  },
];

const writer = testKeys.writer;

describe.each(databaseKinds())('request signatures on %s', (kind) => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startServer(kind);
  });
  afterAll(() => server.stop());

  async function send(door: DoorCase, body: string | undefined, headers: Record<string, string>, method = door.method, path = door.path) {
    const response = await fetch(`${server.baseUrl}${path}`, { method, headers: { ...door.extraHeaders, ...headers }, body });
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
    return signedHeaders(credentials, { method: door.method, host: server.host, path: door.path, body, contentType: door.contentType, ...overrides });
  }

  describe.each(doors)('on $name', (door) => {
    it('accepts a write signed with X-VirtShell-Authorization, Date and Content-MD5', async () => {
      const body = door.writeBody();
      const response = await send(door, body, sign(door, body));
      expect(response.status).toBe(door.ok);
      if (door.path === '/graphql') expect(response.body.data.createTask.created.by).toBe(writer.user);
    });

    it('accepts the same signature in a plain Authorization header', async () => {
      const body = door.writeBody();
      expect((await send(door, body, sign(door, body, { plainAuthorization: true }))).status).toBe(door.ok);
    });

    it('signs X-VirtShell-Date in place of Date when a browser cannot set Date', async () => {
      const body = door.writeBody();
      const headers = sign(door, body, { virtshellDate: true });
      expect(headers.date).toBeUndefined();
      expect((await send(door, body, headers)).status).toBe(door.ok);
    });

    it('refuses a body without Content-MD5 by default, naming the missing header', async () => {
      const body = door.writeBody();
      const response = await send(door, body, sign(door, body, { md5: false }));
      expect(response.status).toBe(401);
      expect(response.body.error).toBe('MissingContentMD5');
    });

    it('refuses a body whose Content-MD5 does not match with 400', async () => {
      const body = door.writeBody();
      const headers = sign(door, body);
      const response = await send(door, body.replace('conformance', 'tampered!!!'), headers);
      expect(response.status).toBe(400);
      expect(response.body.error).toBe('BadDigest');
    });

    const tampered: [string, (door: DoorCase, body: string) => { headers: Record<string, string>; body: string; method?: string; path?: string }][] = [
      ['method', (d, body) => ({ headers: sign(d, body, { method: 'PUT' }), body })],
      ['host', (d, body) => ({ headers: sign(d, body, { host: 'evil.example:80' }), body })],
      ['path', (d, body) => ({ headers: sign(d, body, { path: `${d.path}x` }), body })],
      ['date', (d, body) => ({ headers: { ...sign(d, body, { date: new Date(Date.now() - 60_000) }), date: new Date().toUTCString() }, body })],
      [
        'body (with its Content-MD5 recomputed)',
        (d, body) => {
          const other = body.replace('conformance', 'tampered!!!');
          return { headers: { ...sign(d, body), 'content-md5': md5Base64(other) }, body: other };
        },
      ],
      ['content type', (d, body) => ({ headers: { ...sign(d, body, { contentType: 'text/plain' }), 'content-type': d.contentType ?? 'application/json' }, body })],
    ];
    it.each(tampered)('refuses a request whose signed %s was changed with 401', async (_part, tamper) => {
      const t = tamper(door, door.writeBody());
      const response = await send(door, t.body, t.headers);
      expect(response.status).toBe(401);
      expect(response.body.error).toBe('SignatureDoesNotMatch');
    });

    it('accepts a Date just inside the 15-minute window and refuses one just outside, either way', async () => {
      const minutes = (m: number) => new Date(Date.now() + m * 60_000);
      for (const [date, status] of [
        [minutes(-14.9), door.ok],
        [minutes(14.9), door.ok],
        [minutes(-15.1), 401],
        [minutes(15.1), 401],
      ] as const) {
        const body = door.writeBody();
        const response = await send(door, body, sign(door, body, { date }));
        expect(response.status).toBe(status);
        if (status === 401) expect(response.body.error).toBe('RequestTimeTooSkewed');
      }
    });

    it('refuses a replay of the exact same signed write', async () => {
      const body = door.writeBody();
      const headers = sign(door, body);
      expect((await send(door, body, headers)).status).toBe(door.ok);
      const replay = await send(door, body, headers);
      expect(replay.status).toBe(401);
      expect(replay.body.error ?? replay.body.errors?.[0]?.extensions?.reason).toBe('RequestReplayed');
    });

    it('answers an unknown user exactly as it answers a wrong signature', async () => {
      const body = door.writeBody();
      const unknown = await send(door, body, sign(door, body, {}, { user: 'nobody-here', secret: writer.secret }));
      const wrong = await send(door, body, sign(door, body, {}, { user: writer.user, secret: 'not-the-secret' }));
      expect(unknown.status).toBe(401);
      expect(unknown).toEqual(wrong);
    });

    it('refuses requests without a signature or without a date', async () => {
      const body = door.writeBody();
      const missing = await send(door, body, { 'content-type': door.contentType ?? '' });
      expect(missing.status).toBe(401);
      expect(missing.body.error).toBe('MissingAuthorization');
      const headers = sign(door, body);
      delete headers.date;
      const undated = await send(door, body, headers);
      expect(undated.status).toBe(401);
      expect(undated.body.error).toBe('MissingDate');
    });

    it('lets a read key read but not write', async () => {
      if (door.readBody) {
        const body = door.readBody();
        expect((await send(door, body, sign(door, body, {}, testKeys.reader))).status).toBe(door.ok);
      }
      const body = door.writeBody();
      door.forbidden(await send(door, body, sign(door, body, {}, testKeys.reader)));
    });
  });

  it('serves two identical signed reads in the same second (polling is not a replay)', async () => {
    const body = JSON.stringify({ query: '{ tasks { totalCount } }' });
    const headers = signedHeaders(writer, { method: 'POST', host: server.host, path: '/graphql', body, contentType: 'application/json' });
    for (let i = 0; i < 2; i++) {
      const response = await fetch(`${server.baseUrl}/graphql`, { method: 'POST', headers, body });
      expect(response.status).toBe(200);
    }
  });

  it('accepts a signed GET /graphql with no body, MD5 or type, and signs the path without its query string', async () => {
    const path = `/graphql?query=${encodeURIComponent('{ tasks { totalCount } }')}`;
    const headers = signedHeaders(writer, { method: 'GET', host: server.host, path });
    const response = await fetch(`${server.baseUrl}${path}`, { headers: { ...headers, 'apollo-require-preflight': 'true' } });
    expect(response.status).toBe(200);
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
