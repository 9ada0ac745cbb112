import { databaseKinds } from '../../helpers/databases';
import { startServer, type TestResponse, type TestServer } from '../../helpers/server';
import { bare, snapshot } from './legacy-wire';

const bodyLimit = 4096;
const unknownId = '11111111-1111-4111-8111-111111111111';

/** Every refusal is JSON with exactly this status and body; never HTML, never a 500. */
function expectRefusal(res: TestResponse, status: number, body: unknown): void {
  expect({ status: res.status, body: res.body }).toEqual({ status, body });
  expect(res.headers.get('content-type')).toMatch(/^application\/json/);
}

const updateError = (reason: unknown) => ({ update: 'error', reason, error: reason });
const createError = (reason: unknown) => ({ create: 'error', reason, error: reason });
const deleteError = (reason: unknown) => ({ delete: 'error', reason, error: reason });

describe.each(databaseKinds())('legacy REST refusals on %s', (kind) => {
  let server: TestServer;
  let id: string;

  beforeAll(async () => {
    server = await startServer(kind, { TASKGATE_BODY_LIMIT: String(bodyLimit) });
    id = (await server.request('POST', '/tasks', { body: { description: 'the task under test' } })).body.task_id;
    await server.request('PUT', `/tasks/${id}`, { body: { status: 'in progress', log: 'working' } });
  });
  afterAll(async () => {
    await server?.stop();
  });

  describe('reads', () => {
    it('answers an unknown id with 404 {"error": "document not found"}', async () => {
      expectRefusal(await server.request('GET', `/tasks/${unknownId}`), 404, { error: 'document not found' });
    });

    it('answers a malformed id with 400: a segment shaped like a uuid, or one that is no status word either', async () => {
      for (const path of ['/tasks/11111111-1111-4111-8111-11111111111', '/tasks/not%20a%20uuid!']) {
        expectRefusal(await server.request('GET', path), 400, { error: expect.stringMatching(/^id: must be a UUID/) });
      }
    });

    it('answers a status that is not a word, and a missing one, with 400', async () => {
      const notAWord = { error: 'status: "done!" is not a status word: use letters, digits, spaces, _ and -' };
      expectRefusal(await server.request('GET', '/tasks/status/done!'), 400, notAWord);
      expectRefusal(await server.request('GET', '/api/virtshell/v1/tasks/status/done!/'), 400, notAWord);
      expectRefusal(await server.request('GET', `/tasks/status/${'x'.repeat(65)}`), 400, { error: 'status: a status word has at most 64 characters' });
      for (const path of ['/tasks/status/', '/tasks/status', '/tasks/status/%20']) {
        expectRefusal(await server.request('GET', path), 400, { error: 'status: give a status word (e.g. pending, dispatching, provisioned)' });
      }
    });

    it('answers a broken percent-escape in the path with 400', async () => {
      expectRefusal(await server.request('GET', '/tasks/%E0%A4%A'), 400, { error: 'the path segment "%E0%A4%A" is not valid percent-encoding' });
    });

    it('refuses a bad page size or cursor with 400', async () => {
      for (const limit of ['0', 'ten', '501', '-1', '1.5']) {
        expectRefusal(await server.request('GET', `/tasks?limit=${limit}`), 400, { error: 'limit: must be a whole number from 1 to 500' });
      }
      expectRefusal(await server.request('GET', '/tasks?after=bm9wZQ'), 400, { error: 'after: is not a cursor this server gave out' });
      expectRefusal(await server.request('GET', '/tasks?limit=5&after=bm9wZQ'), 400, { error: 'after: is not a cursor this server gave out' });
    });

    it('answers an If-None-Match naming the current version with 304 and no body', async () => {
      const res = await server.request('GET', `/tasks/${id}`, { headers: { 'if-none-match': '"2"' } });
      expect(res.status).toBe(304);
      expect(res.text).toBe('');
      expect((await server.request('GET', `/tasks/${id}`, { headers: { 'if-none-match': '"1"' } })).status).toBe(200);
    });
  });

  describe('writes refused leave everything as it was', () => {
    let before: unknown;
    beforeEach(async () => {
      before = await snapshot(server, id);
    });
    afterEach(async () => {
      expect(await snapshot(server, id)).toEqual(before);
    });

    it('answers a PUT to an unknown id with 404 in the verb form', async () => {
      expectRefusal(await server.request('PUT', `/tasks/${unknownId}`, { body: { status: 'failed' } }), 404, updateError('document not found'));
    });

    it('answers an illegal transition with 409', async () => {
      expectRefusal(await server.request('PUT', `/tasks/${id}`, { body: bare({ status: 'pending' }) }), 409, updateError('a task cannot go from in progress to pending'));
    });

    it('answers bad JSON, a non-object, an empty body or wrong types with 400', async () => {
      const cases: [unknown, string][] = [
        ['{"status": "failed"', 'the request body is not valid JSON'],
        ['', 'the request body must be a JSON object'],
        ['[{"status": "failed"}]', 'the request body must be a JSON object'],
        ['"failed"', 'the request body must be a JSON object'],
        [{ status: 5 }, 'status: must be a string'],
        [{ log: { text: 'x' } }, 'log: must be a string'],
        [{ status: 'done!' }, 'status: "done!" is not a status word: use letters, digits, spaces, _ and -'],
        [{ status: 'x'.repeat(65) }, 'status: a status word has at most 64 characters'],
        [{ status: ' ' }, 'status: give a status word (e.g. pending, dispatching, provisioned)'],
        [{}, 'input: give a status, a log, or both'],
        [{ log: 'x'.repeat(70_000) }, 'request body exceeds 4096 bytes'],
      ];
      for (const [body, reason] of cases) {
        const res = await server.request('PUT', `/tasks/${id}`, { body: typeof body === 'string' ? body : bare(body) });
        expectRefusal(res, reason.startsWith('request body exceeds') ? 413 : 400, updateError(reason));
      }
    });

    it('refuses a PUT whose If-Match is not the current version with 412, and applies one that is', async () => {
      for (const tag of ['"1"', '1', 'W/"7"', 'nonsense', '"0"']) {
        expectRefusal(await server.request('PUT', `/tasks/${id}`, { body: { log: 'stale' }, headers: { 'if-match': tag } }), 412, updateError(expect.any(String)));
      }
      expectRefusal(await server.request('PUT', `/tasks/${id}`, { body: { log: 'two' }, headers: { 'if-match': '"1", "2"' } }), 400, updateError('If-Match: give one version'));
    });

    it('refuses bad creations with 400 or 409 in the verb form', async () => {
      const cases: [unknown, number, string][] = [
        ['{description: "unquoted"}', 400, 'the request body is not valid JSON'],
        [{ status: 'pending' }, 400, 'description: is required'],
        [{ description: 42 }, 400, 'description: must be a string'],
        [{ description: '   ' }, 400, 'description: must not be empty'],
        [{ description: 'x', status: 'queued?' }, 400, 'status: "queued?" is not a status word: use letters, digits, spaces, _ and -'],
        [{ description: 'x', status: 'sucess' }, 400, 'status: a new task starts as pending or in progress (or a word of those phases)'],
        [{ description: 'x', status: 'provisioned' }, 400, 'status: a new task starts as pending or in progress (or a word of those phases)'],
        [{ description: 'x', object_uuid: 'host-1' }, 400, 'object_uuid: must be a UUID like 3f2c1a9e-0b7d-4c55-9a61-2f0e8d4b7c10'],
        [{ description: 'x', type: 'Create Instance' }, 400, expect.stringMatching(/^type: must be lowercase/) as unknown as string],
        [{ description: 'x', uuid: id }, 409, `a task with id ${id} already exists`],
        [{ description: 'x'.repeat(5000) }, 413, 'request body exceeds 4096 bytes'],
      ];
      for (const [body, status, reason] of cases) {
        const res = await server.request('POST', '/tasks/', { body: typeof body === 'string' ? body : bare(body) });
        expectRefusal(res, status, createError(reason));
      }
    });

    it('answers an Accept that excludes JSON with 406, before anything else', async () => {
      for (const accept of ['text/html', 'application/xml, text/plain', 'application/json;q=0']) {
        expectRefusal(await server.request('GET', `/tasks/${id}`, { headers: { accept } }), 406, { error: 'this API answers only application/json' });
        expectRefusal(await server.request('PUT', `/tasks/${id}`, { headers: { accept }, body: { status: 'failed' } }), 406, updateError('this API answers only application/json'));
      }
      for (const accept of ['*/*', 'application/*', 'text/html, application/json;q=0.5', 'application/json; charset=utf-8']) {
        expect((await server.request('GET', `/tasks/${id}`, { headers: { accept } })).status).toBe(200);
      }
    });

    it('answers unknown routes with 404 JSON, including the reference PUT to /hosts/', async () => {
      expectRefusal(await server.request('PUT', `/api/virtshell/v1/hosts/${id}`, { body: { status: 'failed' } }), 404, { error: `no route for /api/virtshell/v1/hosts/${id}` });
      expectRefusal(await server.request('GET', `/tasks/${id}/history`), 404, { error: `no route for GET /tasks/${id}/history` });
      expectRefusal(await server.request('GET', '/tasks//'), 404, { error: 'no route for GET /tasks//' });
    });

    it('answers a wrong method with 405 and Allow', async () => {
      const cases: [string, string, string][] = [
        ['PATCH', `/tasks/${id}`, 'GET, PUT, DELETE'],
        ['POST', `/tasks/${id}`, 'GET, PUT, DELETE'],
        ['PUT', '/tasks', 'GET, POST'],
        ['PUT', '/tasks/pending', 'GET'],
        // A segment that is a status word names a listing, whatever the method.
        ['PUT', '/tasks/dispatched', 'GET'],
        ['DELETE', '/tasks/not-a-uuid', 'GET'],
        ['POST', '/tasks/status/failed', 'GET'],
      ];
      for (const [method, path, allow] of cases) {
        const res = await server.request(method, path, { body: { status: 'failed', description: 'x' } });
        expectRefusal(res, 405, { error: `${path} allows ${allow}` });
        expect(res.headers.get('allow')).toBe(allow);
      }
    });

    it('refuses DELETE /tasks/ (delete every task) with 405 and the reason, at every prefix', async () => {
      const reason = 'DELETE /tasks/ would delete every task and is not served; delete tasks one at a time with DELETE /tasks/<uuid>';
      for (const path of ['/tasks/', '/tasks', '/api/virtshell/v1/tasks/']) {
        const res = await server.request('DELETE', path);
        expectRefusal(res, 405, { error: reason });
        expect(res.headers.get('allow')).toBe('GET, POST');
      }
    });

    it('answers a DELETE of an unknown id with 404 in the verb form, and of a malformed id with 400', async () => {
      expectRefusal(await server.request('DELETE', `/tasks/${unknownId}`), 404, deleteError('document not found'));
      expectRefusal(await server.request('DELETE', '/tasks/11111111-1111-4111-8111-11111111111'), 400, deleteError(expect.stringMatching(/^id: must be a UUID/)));
    });

    it('answers a read-only caller writing with 403, and a refused signature with its status', async () => {
      const asReader = { user: 'reader' as const };
      expectRefusal(await server.request('PUT', `/tasks/${id}`, { body: { status: 'failed' }, ...asReader }), 403, updateError('this key may read but not write'));
      expectRefusal(await server.request('POST', '/tasks', { body: { description: 'x' }, ...asReader }), 403, createError('this key may read but not write'));
      expectRefusal(await server.request('DELETE', `/tasks/${id}`, asReader), 403, deleteError('this key may read but not write'));
      expect((await server.request('GET', `/tasks/${id}`, asReader)).status).toBe(200);
      const skewed = { sign: { date: new Date(Date.now() - 20 * 60_000) } };
      // A refused signature also says what to fix, and (a skewed clock) the server's time.
      const skew = { message: expect.stringMatching(/clock/), serverTime: expect.any(String), requestTime: expect.any(String) };
      expectRefusal(await server.request('GET', `/tasks/${id}`, skewed), 401, { error: 'RequestTimeTooSkewed', ...skew });
      expectRefusal(await server.request('PUT', `/tasks/${id}`, { body: { status: 'failed' }, ...skewed }), 401, { ...updateError('RequestTimeTooSkewed'), ...skew });
    });
  });

  it('applies a PUT whose If-Match names the current version, as an ETag or a bare number, and sends the new ETag', async () => {
    const current = (await server.request('GET', `/tasks/${id}`)).headers.get('etag') as string;
    const first = await server.request('PUT', `/tasks/${id}`, { body: { log: 'with etag' }, headers: { 'if-match': current } });
    expect([first.status, first.body]).toEqual([200, { update: 'success' }]);
    const next = Number(JSON.parse(current)) + 1;
    expect(first.headers.get('etag')).toBe(`"${next}"`);
    const second = await server.request('PUT', `/tasks/${id}`, { body: { log: 'with number' }, headers: { 'if-match': String(next) } });
    expect(second.status).toBe(200);
    expect((await server.request('GET', `/tasks/${id}`)).body).toMatchObject({ log: 'with number', version: next + 1 });
  });
});
