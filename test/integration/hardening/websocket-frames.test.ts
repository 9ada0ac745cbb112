import WebSocket from 'ws';
import { databaseKinds } from '../../helpers/databases';
import { startServer, type TestServer } from '../../helpers/server';

/** What the WebSocket door does with frames a well-behaved graphql-ws client never sends. */
interface Session {
  messages: any[];
  closed: Promise<{ code: number; reason: string }>;
  send(frame: unknown): void;
  /** Resolves with the first message matching `predicate`. */
  next(predicate: (message: any) => boolean): Promise<any>;
}

function open(server: TestServer): Promise<Session> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(server.wsUrl, 'graphql-transport-ws');
    const messages: any[] = [];
    const waiters: { predicate: (m: any) => boolean; resolve: (m: any) => void }[] = [];
    const closed = new Promise<{ code: number; reason: string }>((done) => socket.on('close', (code, reason) => done({ code, reason: String(reason) })));
    socket.on('error', reject);
    socket.on('message', (data) => {
      const message = JSON.parse(String(data));
      messages.push(message);
      for (const w of waiters.splice(0)) (w.predicate(message) ? w.resolve(message) : waiters.push(w));
    });
    const session: Session = {
      messages,
      closed,
      send: (frame) => socket.send(typeof frame === 'string' ? frame : JSON.stringify(frame)),
      next: (predicate) => {
        const seen = messages.find(predicate);
        return seen ? Promise.resolve(seen) : new Promise((r) => waiters.push({ predicate, resolve: r }));
      },
    };
    socket.on('open', async () => {
      session.send({ type: 'connection_init', payload: server.wsConnectionParams() });
      await session.next((m) => m.type === 'connection_ack');
      resolve(session);
    });
  });
}

describe.each(databaseKinds())('WebSocket frames on %s', (kind) => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startServer(kind);
  });
  afterAll(() => server.stop());

  const count = async () => (await server.gql('{ tasks { totalCount } }')).data!.tasks.totalCount as number;

  it('refuses a mutation sent over the socket with BAD_REQUEST and writes nothing (writes are signed one by one over HTTP)', async () => {
    const before = await count();
    const session = await open(server);
    session.send({ id: 'w', type: 'subscribe', payload: { query: 'mutation { createTask(input: {description: "over a socket"}) { id } }' } });
    const answer = await session.next((m) => m.id === 'w');
    expect(answer.type).toBe('error');
    expect(answer.payload[0].extensions.code).toBe('BAD_REQUEST');
    expect(await count()).toBe(before);
  });

  it('answers a variable of the wrong type with BAD_USER_INPUT, not a masked internal error', async () => {
    const session = await open(server);
    session.send({ id: 'v', type: 'subscribe', payload: { query: 'subscription($s: TaskStatus) { taskUpdated(status: $s) { id } }', variables: { s: 'DONE' } } });
    session.send({ id: 'r', type: 'subscribe', payload: { query: 'subscription($id: ID!) { taskUpdated(id: $id) { id } }', variables: {} } });
    for (const id of ['v', 'r']) {
      const answer = await session.next((m) => m.id === id);
      expect({ id, type: answer.type, code: answer.payload[0].extensions.code }).toEqual({ id, type: 'error', code: 'BAD_USER_INPUT' });
    }
  });

  it.each(['next', 'error', 'connection_ack'])('closes a socket that sends a server-only %s message with 4400, not 4500', async (type) => {
    const session = await open(server);
    session.send({ type, id: '1', payload: {} });
    expect((await session.closed).code).toBe(4400);
  });

  it('still serves queries over the socket', async () => {
    const session = await open(server);
    session.send({ id: 'q', type: 'subscribe', payload: { query: '{ tasks { totalCount } }' } });
    const answer = await session.next((m) => m.id === 'q');
    expect(answer).toMatchObject({ type: 'next', payload: { data: { tasks: { totalCount: expect.any(Number) } } } });
  });
});
