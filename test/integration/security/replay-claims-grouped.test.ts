import { databaseKinds } from '../../helpers/databases';
import { startServer, testKeys, type TestServer } from '../../helpers/server';
import { signedHeaders } from '../../helpers/signing';

/**
 * Without Redis the replay guard commits the claims that arrive together in one INSERT
 * (src/auth/replay-guard.ts). Writes sent at once must still each be served exactly once: a
 * replay among them, even of a signature claimed in the same group, is refused as before, and
 * the others are not refused with it. Real servers, SQLite and MariaDB.
 */
const writer = testKeys.writer;
const bytes = (value: unknown) => Buffer.from(JSON.stringify(value));

async function count(server: TestServer, table: 'tasks' | 'replay_claims'): Promise<number> {
  const rows = await server.app.dataSource.query(`SELECT COUNT(*) AS n FROM ${table}`);
  return Number(rows[0].n);
}

/** A signed createTask mutation: its headers and body, ready to send (and send again). */
function signedMutation(server: TestServer, description: string, date: Date) {
  const body = bytes({ query: `mutation { createTask(input: {description: ${JSON.stringify(description)}}) { id } }` });
  const headers = signedHeaders(writer, { method: 'POST', host: server.host, path: '/graphql', body, contentType: 'application/json', date });
  return { body, headers };
}

async function send(server: TestServer, write: { body: Buffer; headers: Record<string, string> }): Promise<{ status: number; reason?: string }> {
  const response = await fetch(`${server.baseUrl}/graphql`, { method: 'POST', headers: write.headers, body: write.body });
  const answer = (await response.json()) as any;
  return { status: response.status, reason: answer.errors?.[0]?.extensions?.reason };
}

describe.each(databaseKinds())('signed writes sent at once, without Redis, on %s', (kind) => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startServer(kind);
  });
  afterAll(() => server.stop());

  it('serves each of 40 distinct signed writes sent at once and records a claim for each', async () => {
    const [tasks, claims] = [await count(server, 'tasks'), await count(server, 'replay_claims')];
    const at = Date.now();
    const writes = Array.from({ length: 40 }, (_, i) => signedMutation(server, `distinct write ${i}`, new Date(at + i)));
    const answers = await Promise.all(writes.map((write) => send(server, write)));
    expect(answers.map((answer) => answer.status)).toEqual(writes.map(() => 200));
    expect(await count(server, 'tasks')).toBe(tasks + 40);
    expect(await count(server, 'replay_claims')).toBe(claims + 40);
  });

  it('serves a signed write sent five times at once exactly once among other writes, and refuses the four replays', async () => {
    const tasks = await count(server, 'tasks');
    const at = Date.now();
    const replayed = signedMutation(server, 'sent five times at once', new Date(at));
    const others = Array.from({ length: 10 }, (_, i) => signedMutation(server, `another write ${i}`, new Date(at + 1 + i)));
    const sent = [replayed, others[0], replayed, others[1], replayed, ...others.slice(2), replayed, replayed];
    const answers = await Promise.all(sent.map((write) => send(server, write)));
    const ofReplayed = answers.filter((_, i) => sent[i] === replayed);
    expect(ofReplayed.filter((answer) => answer.status === 200)).toHaveLength(1);
    expect(ofReplayed.filter((answer) => answer.status === 401 && answer.reason === 'RequestReplayed')).toHaveLength(4);
    expect(answers.filter((_, i) => sent[i] !== replayed).map((answer) => answer.status)).toEqual(others.map(() => 200));
    expect(await count(server, 'tasks')).toBe(tasks + 11);
  });
});
