import { startServer, type TestServer, testKeys } from '../../helpers/server';
import { eventually } from '../../helpers/ws-client';
import { startTaskgate } from '../../helpers/taskgate-command';
import { buildOnce, freePort } from './compiled-server';

const key = ['--user', testKeys.writer.user, '--secret', testKeys.writer.secret];

const start = (args: string[]) => startTaskgate(args);
const taskgate = (args: string[]) => start(args).done;

describe('taskgate sign and call against a real server', () => {
  let server: TestServer;
  beforeAll(async () => {
    buildOnce();
    server = await startServer('sqlite');
  });
  afterAll(() => server.stop());

  it('sign --url prints a presigned URL that opens the event feed with no headers at all', async () => {
    const run = await taskgate(['sign', 'GET', `${server.baseUrl}/tasks/events?after=0`, '--url', '--expires', '120', ...key]);
    expect(run).toMatchObject({ code: 0, stderr: '' });
    const url = new URL(run.stdout.trim());
    expect(url.searchParams.get('X-VirtShell-Key')).toBe(testKeys.writer.user);
    const expires = Number(url.searchParams.get('X-VirtShell-Expires'));
    expect(expires - Date.now() / 1000).toBeGreaterThan(60);
    const abort = new AbortController();
    const response = await fetch(url, { signal: abort.signal });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/event-stream/);
    abort.abort();
  });

  it('sign --url presigns only GET', async () => {
    const run = await taskgate(['sign', 'POST', `${server.baseUrl}/tasks/events`, '--url', ...key]);
    expect(run.code).toBe(2);
    expect(run.stderr).toBe('taskgate sign --url: presigned URLs are for GET only (the event feed and the WebSocket), not POST\n');
  });

  it('call sends --header lines with the request', async () => {
    const created = await server.request('POST', '/tasks/', { body: { description: 'spelled', status: 'in progress' } });
    const id = created.body.task_id as string;
    expect((await server.request('PUT', `/tasks/${id}`, { body: { status: 'success' } })).status).toBe(200);
    const plain = await taskgate(['call', 'GET', `${server.baseUrl}/tasks/${id}`, ...key]);
    expect(plain.code).toBe(0);
    expect(plain.stdout).toContain('"status":"sucess"');
    const corrected = await taskgate(['call', 'GET', `${server.baseUrl}/tasks/${id}`, '--header', 'X-Taskgate-Status-Spelling: corrected', '--header', 'Accept: application/json', ...key]);
    expect(corrected.code).toBe(0);
    expect(corrected.stdout).toMatch(/^HTTP 200$/m);
    expect(corrected.stdout).toContain('"status":"success"');
  });

  it('call streams the event feed as it arrives instead of waiting for the end', async () => {
    await server.request('POST', '/tasks/', { body: { description: 'there before the call' } });
    const feed = start(['call', 'GET', `${server.baseUrl}/tasks/events?after=0`, ...key]);
    try {
      await eventually(() => feed.run.stdout.includes('\ndata: '), 'the first event on stdout');
      expect(feed.run.stdout).toMatch(/^HTTP 200$/m);
      expect(feed.run.stdout).toMatch(/^id: 1$/m);
      const before = feed.run.stdout.split('\ndata: ').length;
      const created = await server.request('POST', '/tasks/', { body: { description: 'streamed while the call runs' } });
      await eventually(() => feed.run.stdout.includes(`"uuid":"${created.body.task_id}"`), 'the new event on stdout');
      expect(feed.run.stdout.split('\ndata: ').length).toBe(before + 1);
    } finally {
      feed.child.kill('SIGINT');
      await feed.done;
    }
  });

  it('call to a server that is down says so in one line and exits 1', async () => {
    const port = await freePort();
    const run = await taskgate(['call', 'GET', `http://127.0.0.1:${port}/tasks/`, ...key]);
    expect(run).toEqual({ code: 1, stdout: '', stderr: `taskgate call: cannot reach http://127.0.0.1:${port}: connection refused (is taskgate running there?)\n` });
  });

  it.each([
    [['call', 'GET', 'localhost:4000/tasks/'], 'taskgate call: "localhost:4000/tasks/" is not a full URL; give it with the scheme, e.g. http://localhost:4000/graphql\n'],
    [['sign', 'GET', 'not a url'], 'taskgate sign: "not a url" is not a full URL; give it with the scheme, e.g. http://localhost:4000/graphql\n'],
    [['call', 'GET', 'http://localhost:4000/tasks/', '--header', 'no colon'], `taskgate call: --header "no colon" is not 'Name: value'\n`],
  ])('refuses %j in one line with exit code 2', async (args, message) => {
    const run = await taskgate([...args, ...key]);
    expect(run).toEqual({ code: 2, stdout: '', stderr: message });
  });
});
