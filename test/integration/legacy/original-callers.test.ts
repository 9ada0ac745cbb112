import { createHash } from 'node:crypto';
import { databaseKinds } from '../../helpers/databases';
import { startServer, type TestServer } from '../../helpers/server';
import { bare } from './legacy-wire';

/**
 * The original VirtShell callers (LEGACY-CALLERS.md), replayed as they send: every PUT is
 * `{"status", "log"}` with no Content-Type and the answer is discarded by the caller (the test
 * keeps it only to assert on it afterwards). The dispatcher polls /tasks/status/pending, reads
 * `["tasks"]` and each task's `type`, `uuid`, `object_uuid`; the agent and its docker and
 * VirtualBox plugins write their words in order; the docker plugin's last PUT carries the
 * provisioner's whole stdout.
 */

const dockerWords = ['setting up', 'creating', 'created', 'provisioning', 'provisioned'];
const virtualBoxWords = ['registering', 'registered', 'assigning_properties', 'assigned_properties', 'creating_storage', 'storage_created'];
const plugins: Record<string, string[]> = { create_container: dockerWords, create_vm: virtualBoxWords };

/** A provisioner's stdout: 5 MB of lines, with quotes, backslashes, tabs and non-ASCII as real output has. */
function provisionerStdout(bytes: number): string {
  const lines: string[] = [];
  let size = 0;
  for (let i = 0; size < bytes; i++) {
    const line = `[${i}] Step ${i % 17}/17 : RUN apt-get install -y "pkg-${i}" \\ \t→ ok ✓ ${'#'.repeat(i % 40)}\n`;
    lines.push(line);
    size += Buffer.byteLength(line);
  }
  return lines.join('');
}

const sha = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');

describe.each(databaseKinds())('the original dispatcher, agent and plugins, replayed unchanged, on %s', (kind) => {
  let server: TestServer;
  /** Every PUT the callers sent, with the answer they ignored. */
  const sent: { path: string; body: unknown; status: number }[] = [];
  /** How often each task reached an agent. */
  const reachedAgent = new Map<string, number>();
  const stdout = provisionerStdout(5 * 1024 * 1024);
  const ids: Record<'docker' | 'virtualbox' | 'unsupported', string> = { docker: '', virtualbox: '', unsupported: '' };

  beforeAll(async () => {
    server = await startServer(kind);
  }, 120_000);
  afterAll(async () => {
    await server?.stop();
  });

  /** PUT as the callers do it: the bytes of the JSON, no Content-Type, the answer discarded (kept here for the test). */
  async function put(id: string, status: string, log: string): Promise<void> {
    const body = { status, log };
    const res = await server.request('PUT', `/tasks/${id}`, { body: bare(body) });
    sent.push({ path: `/tasks/${id}`, body: status, status: res.status });
  }

  /** The provisioning agent takes a create request: it answers `received` at once and runs the plugin later. */
  async function agentReceives(task: { uuid: string; type: string }): Promise<void> {
    reachedAgent.set(task.uuid, (reachedAgent.get(task.uuid) ?? 0) + 1);
    await put(task.uuid, 'received', 'by provisioning_agent');
  }

  /** The docker or VirtualBox plugin on the agent: every word in order; docker's last PUT carries the whole stdout. */
  async function pluginRuns(task: { uuid: string; type: string }): Promise<void> {
    const words = plugins[task.type];
    for (const [i, word] of words.entries()) {
      const last = i === words.length - 1;
      await put(task.uuid, word, last && words === dockerWords ? stdout : `${word} ${task.uuid}`);
    }
  }

  /**
   * One poll of the dispatcher: every pending task goes to an agent (`dispatching`, the request
   * to the agent, `dispatched`), or to `error` when no plugin takes its type. The plugins then run
   * on the agent, after the dispatcher has moved on.
   */
  async function poll(): Promise<number> {
    const res = await server.request('GET', '/tasks/status/pending');
    const tasks = res.body.tasks as { uuid: string; type: string; object_uuid: string }[];
    const accepted: typeof tasks = [];
    for (const task of tasks) {
      if (!plugins[task.type]) {
        await put(task.uuid, 'error', 'task not supported');
        continue;
      }
      await put(task.uuid, 'dispatching', `dispatching ${task.type} for ${task.object_uuid}`);
      await agentReceives(task);
      await put(task.uuid, 'dispatched', 'sent to agent');
      accepted.push(task);
    }
    for (const task of accepted) await pluginRuns(task);
    return tasks.length;
  }

  it('creates tasks shaped like the original (date and status_history included) and answers each create', async () => {
    const create = async (type: string) => {
      const res = await server.request('POST', '/tasks/', {
        body: bare({
          description: `${type} for the replay`,
          type,
          object_uuid: '6f1c3a2e-4b5d-4e6f-8a9b-0c1d2e3f4a5b',
          status: 'pending',
          date: '1429207233',
          status_history: [],
        }),
      });
      expect(res.status).toBe(200);
      return res.body.task_id as string;
    };
    ids.docker = await create('create_container');
    ids.virtualbox = await create('create_vm');
    ids.unsupported = await create('resize_disk');
  });

  it('moves every task out of pending on the first poll; the second poll lists none and each task reached its agent once', async () => {
    expect(await poll()).toBe(3);
    expect(await poll()).toBe(0);
    expect(Object.fromEntries(reachedAgent)).toEqual({ [ids.docker]: 1, [ids.virtualbox]: 1 });
  });

  it('answered every PUT the callers sent with 2xx', () => {
    expect(sent.length).toBe(2 + (1 + dockerWords.length) + 2 + (1 + virtualBoxWords.length) + 1);
    expect(sent.filter((s) => s.status < 200 || s.status > 299)).toEqual([]);
  });

  it('reads each task back with the word its caller wrote last, and the 5 MB log byte for byte', async () => {
    const docker = await server.request('GET', `/tasks/${ids.docker}`);
    expect(docker.body.status).toBe('provisioned');
    expect(Buffer.byteLength(docker.body.log)).toBe(Buffer.byteLength(stdout));
    expect(sha(docker.body.log)).toBe(sha(stdout));
    const virtualbox = await server.request('GET', `/tasks/${ids.virtualbox}`);
    expect(virtualbox.body).toMatchObject({ status: 'storage_created', log: `storage_created ${ids.virtualbox}` });
    const unsupported = await server.request('GET', `/tasks/${ids.unsupported}`);
    expect(unsupported.body).toMatchObject({ status: 'error', log: 'task not supported' });
    const history = await server.gql(`query($id: ID!) { task(id: $id) { history { stage log } } }`, { id: ids.docker });
    const provisioned = history.data!.task.history.find((e: any) => e.stage === 'provisioned');
    expect(sha(provisioned.log)).toBe(sha(stdout));
  });

  it('stores and reads back a 5 MB provisioned log byte for byte over REST, GraphQL and the listing', async () => {
    const id = (await server.request('POST', '/tasks/', { body: bare({ description: 'big log', status: 'in progress' }) })).body.task_id;
    const res = await server.request('PUT', `/tasks/${id}`, { body: bare({ status: 'provisioned', log: stdout }) });
    expect(res.status).toBe(200);
    const rest = await server.request('GET', `/tasks/${id}`);
    expect(rest.body.status).toBe('provisioned');
    expect(sha(rest.body.log)).toBe(sha(stdout));
    const graphql = await server.gql(`query($id: ID!) { task(id: $id) { status stage log } }`, { id });
    expect(graphql.data!.task).toMatchObject({ status: 'SUCCESS', stage: 'provisioned' });
    expect(sha(graphql.data!.task.log)).toBe(sha(stdout));
    const listed = (await server.request('GET', '/tasks/status/provisioned')).body.tasks.find((t: any) => t.uuid === id);
    expect(sha(listed.log)).toBe(sha(stdout));
    const all = (await server.request('GET', '/tasks/')).body.tasks.find((t: any) => t.uuid === id);
    expect(sha(all.log)).toBe(sha(stdout));
  });

  it('lists by every word the callers wrote, at /tasks/status/<word> and /tasks/<word>', async () => {
    // A fresh pair walks the words again, one at a time, listed after each.
    const walk = async (type: string, words: string[]) => {
      const id = (await server.request('POST', '/tasks/', { body: bare({ description: `walk ${type}`, type, status: 'pending' }) })).body.task_id;
      for (const word of ['dispatching', 'received', 'dispatched', ...words]) {
        await put(id, word, word);
        for (const path of [`/tasks/status/${encodeURIComponent(word)}`, `/tasks/${encodeURIComponent(word)}`, `/api/virtshell/v1/tasks/status/${word.toUpperCase()}/`]) {
          const listed = await server.request('GET', path);
          expect({ path, status: listed.status }).toEqual({ path, status: 200 });
          expect(listed.body.tasks.map((t: any) => t.uuid)).toContain(id);
          expect(listed.body.tasks.every((t: any) => t.status === word)).toBe(true);
        }
      }
    };
    await walk('create_container', dockerWords);
    await walk('create_vm', virtualBoxWords);
    const errors = await server.request('GET', '/tasks/status/error');
    expect(errors.body.tasks.map((t: any) => t.uuid)).toEqual([ids.unsupported]);
  });

  it('keeps the documented four listing their phase: sucess lists the provisioned tasks, failed the error one', async () => {
    const uuids = async (path: string) => (await server.request('GET', path)).body.tasks.map((t: any) => t.uuid);
    expect(await uuids('/tasks/status/pending')).toEqual([]);
    expect(await uuids('/tasks/status/failed')).toEqual([ids.unsupported]);
    expect(await uuids('/tasks/sucess')).toEqual(expect.arrayContaining([ids.docker, ids.virtualbox]));
    expect(await uuids('/tasks/status/in%20progress')).not.toContain(ids.docker);
  });

  it('gives GraphQL clients the lifecycle phase of each word, and the history word by word', async () => {
    const result = await server.gql(
      `query($d: ID!, $v: ID!, $u: ID!) {
        docker: task(id: $d) { status stage history { stage status previousStage previousStatus kind } }
        virtualbox: task(id: $v) { status stage history { stage status } }
        unsupported: task(id: $u) { status stage history { stage status } }
      }`,
      { d: ids.docker, v: ids.virtualbox, u: ids.unsupported },
    );
    expect(result.errors).toBeUndefined();
    const { docker, virtualbox, unsupported } = result.data!;
    expect([docker.status, docker.stage]).toEqual(['SUCCESS', 'provisioned']);
    expect(docker.history.map((e: any) => `${e.stage}:${e.status}`)).toEqual([
      'pending:PENDING',
      'dispatching:IN_PROGRESS',
      'received:IN_PROGRESS',
      'dispatched:IN_PROGRESS',
      'setting up:IN_PROGRESS',
      'creating:IN_PROGRESS',
      'created:IN_PROGRESS',
      'provisioning:IN_PROGRESS',
      'provisioned:SUCCESS',
    ]);
    expect(docker.history[0]).toMatchObject({ kind: 'CREATED', previousStage: null, previousStatus: null });
    expect(docker.history[1]).toMatchObject({ kind: 'UPDATED', previousStage: 'pending', previousStatus: 'PENDING' });
    expect([virtualbox.status, virtualbox.stage]).toEqual(['SUCCESS', 'storage_created']);
    expect(virtualbox.history.map((e: any) => e.stage)).toEqual(['pending', 'dispatching', 'received', 'dispatched', ...virtualBoxWords]);
    expect(unsupported).toEqual({ status: 'FAILED', stage: 'error', history: [{ stage: 'pending', status: 'PENDING' }, { stage: 'error', status: 'FAILED' }] });
  });
});
