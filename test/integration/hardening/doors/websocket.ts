import WebSocket from 'ws';
import type { TestServer } from '../../../helpers/server';
import { testKeys } from '../../../helpers/server';
import { signedConnectionParams } from '../../../helpers/signing';
import { type HostileDoor, type Outcome, type Rng, rng, unansweredAfterMs } from '../hostile-kit';
import type { Seeded } from './graphql-http';

/**
 * The graphql-ws door: frames no client library sends. A session opens a raw socket, sends a
 * connection_init (unless the case is about not sending one) and waits for the ack, sends the
 * hostile frames, then waits for what must follow: the server closing the socket (with a 4xxx
 * code, or 1009 for a message over TASKGATE_WS_MAX_MESSAGE), or an answer (error or complete)
 * to each listed subscription id and a pong proving the connection still works.
 *
 * Outcome.status is the close code, or 101 when the socket stayed open and answered (4406
 * also stands for a handshake that did not accept the offered subprotocol).
 */
interface Session {
  protocol?: string;
  /** Connection params for connection_init (default: signed for the writer); `noPayload`: none; `false`: no connection_init at all. */
  init?: unknown | false;
  frames: (string | Buffer)[];
  /** The server must close the socket, or answer each of these subscription ids. */
  expect: 'close' | { answers: string[] };
}

type Attack = (r: Rng, server: TestServer, seeded: Seeded) => Session;

const noPayload = Symbol('no payload');
/** Outcome status of a session whose subprotocol the server's handshake did not accept. */
const subprotocolRefused = 4406;
const message = (type: string, rest: Record<string, unknown> = {}) => JSON.stringify({ type, ...rest });
const subscribe = (id: string, payload: unknown) => message('subscribe', { id, payload });
const validSubscription = 'subscription { taskUpdated { id } }';

function junk(r: Rng, length: number): string {
  const alphabet = ['a', 'é', '\u0000', '"', '\\', '{', '}', '💥', '\ud800', '[', ':', ','];
  let s = '';
  for (let i = 0; i < length; i++) s += r.pick(alphabet);
  return s;
}

function nested(depth: number): string {
  let doc = 'id';
  for (let d = 0; d < depth; d++) doc = `task { history(first: 1) { ${doc} } }`;
  return `subscription { taskUpdated { ${doc} } }`;
}

const attacks: Attack[] = [
  // --- bad frames
  (r) => ({ frames: [r.pick(['{', 'garbage', 'null', '[]', '"connection_init"', '1', '{"type":1}', '{"type":null}', '{}', junk(r, r.int(1, 300)), '{"type":"subscribe"}', '{"type":"subscribe","id":1,"payload":{}}'])], expect: 'close' }),
  (r) => ({ frames: [Buffer.from(Array.from({ length: r.int(1, 500) }, () => r.int(0, 255)))], expect: 'close' }),
  (r) => ({ init: false, frames: [Buffer.from(r.pick(['\u0000\u0001', '{"type":"connection_init"', '\xff\xfe']), 'latin1')], expect: 'close' }),
  // --- wrong message order
  (r) => ({ init: false, frames: [subscribe(String(r.int(1, 99)), { query: validSubscription })], expect: 'close' }),
  (r, s) => ({ init: false, frames: [message('ping'), subscribe('early', { query: r.pick([validSubscription, 'mutation { createTask(input: {description: "early"}) { id } }']) }), message('connection_init', { payload: s.wsConnectionParams() })], expect: 'close' }),
  (r, s) => ({ frames: [message('connection_init', { payload: r.pick([s.wsConnectionParams(), {}, null]) })], expect: 'close' }),
  (r) => ({ frames: [subscribe('dup', { query: validSubscription }), subscribe('dup', { query: r.pick([validSubscription, '{ tasks { totalCount } }']) })], expect: 'close' }),
  // --- message types a client never sends
  (r) => ({ frames: [message(r.pick(['start', 'stop', 'connection_terminate', 'data', 'ka', 'SUBSCRIBE', 'Subscribe', '', 'x'.repeat(r.int(1, 2000))]), { id: '1', payload: { query: validSubscription } })], expect: 'close' }),
  (r) => ({ init: r.chance(0.5) ? undefined : false, frames: [message(r.pick(['next', 'error', 'connection_ack']), { id: '1', payload: r.pick([{}, { data: { taskUpdated: { id: '1' } } }, [{ message: 'x' }]]) })], expect: 'close' }),
  (r) => ({ frames: [message('complete', { id: r.pick(['never-started', 'x'.repeat(1000)]) })], expect: { answers: [] } }),
  (r) => ({ frames: [message('pong', { payload: r.pick([undefined, {}, { a: 1 }]) }), message('complete', { id: '__proto__' })], expect: { answers: [] } }),
  // --- too big
  (r) => ({ frames: [subscribe('big', { query: `subscription { taskUpdated { id ${' '.repeat(r.int(70_000, 300_000))} } }` })], expect: 'close' }),
  (r) => ({ init: false, frames: [message('connection_init', { payload: { authorization: 'x'.repeat(r.int(70_000, 200_000)) } })], expect: 'close' }),
  // --- malformed subscribe payloads
  (r) => ({ frames: [message(r.pick(['subscribe', 'complete']), { id: r.pick([1, null, '', {}, []]), payload: { query: validSubscription } })], expect: 'close' }),
  (r) => ({ frames: [message('subscribe', { id: 'p', payload: r.pick([null, 'x', 1, [], { query: 1 }, { query: null }, { query: validSubscription, variables: 'x' }, { query: validSubscription, operationName: 7 }, { query: validSubscription, extensions: 'x' }]) })], expect: 'close' }),
  // --- documents over the limits, or wrong: answered with an error, socket kept
  (r) => ({ frames: [subscribe('deep', { query: nested(r.int(4, 12)) })], expect: { answers: ['deep'] } }),
  (r) => ({ frames: [subscribe('aliases', { query: `subscription { ${Array.from({ length: r.int(16, 40) }, (_, i) => `a${i}: taskUpdated { id }`).join(' ')} }` })], expect: { answers: ['aliases'] } }),
  (r) => ({ frames: [subscribe('tokens', { query: `subscription { taskUpdated { ${Array.from({ length: r.int(1000, 5000) }, () => 'id').join(' ')} } }` })], expect: { answers: ['tokens'] } }),
  (r) => ({ frames: [subscribe('cost', { query: `subscription { taskUpdated { task { history(first: ${r.int(5001, 1_000_000)}) { task { history(first: 100) { id } } } } } }` })], expect: { answers: ['cost'] } }),
  (r) => ({ frames: [subscribe('words', { query: Array.from({ length: r.int(1, 60) }, () => r.pick(['{', '}', '(', ')', 'subscription', 'query', 'fragment', 'on', 'taskUpdated', '$', '!', '"', '...', '@', '#', '1e999'])).join(' ') })], expect: { answers: ['words'] } }),
  (r) => ({ frames: [subscribe('frag', { query: `subscription { taskUpdated { ...A } } fragment A on TaskEvent { task { history { ...${r.pick(['A', 'B'])} } } } fragment B on TaskEvent { ...A }` })], expect: { answers: ['frag'] } }),
  (r) => ({ frames: [subscribe('two', { query: `subscription A { taskUpdated { id } } subscription B { taskStatusChanged { id } }`, operationName: r.pick([undefined, 'C', '']) })], expect: { answers: ['two'] } }),
  (r) => ({ frames: [subscribe('multi', { query: 'subscription { taskUpdated { id } taskStatusChanged { id } }' })], expect: { answers: ['multi'] } }),
  // --- the cost-limit attacks of issue 13: answered with a refusal, never the data
  (r) => ({
    frames: [
      subscribe('null-default', {
        query: `query Q($id: ID = "00000000-0000-4000-8000-000000000000") { task(id: $id) { id } ${Array.from({ length: r.int(1, 14) }, (_, i) => `a${i}: tasks(first: 500) { edges { node { history(first: 500) { task { description } } } } }`).join(' ')} }`,
        variables: { id: null },
      }),
    ],
    expect: { answers: ['null-default'] },
  }),
  (r) => ({
    frames: [
      subscribe('include-cheap', { query: 'query Q($x: Boolean!) { lastEventId a: tasks(first: 500) @include(if: $x) { edges { node { history(first: 500) { task { description } } } } } }', variables: { x: false } }),
      subscribe('include-dear', { query: 'query Q($x: Boolean!) { lastEventId a: tasks(first: 500) @include(if: $x) { edges { node { history(first: 500) { task { description } } } } } }', variables: { x: true } }),
    ],
    expect: { answers: ['include-cheap', 'include-dear'] },
  }),
  (r) => ({ frames: [subscribe('padded', { query: `{ lastEventId } #${'x'.repeat(r.int(33_000, 60_000))}` })], expect: { answers: ['padded'] } }),
  (r) => ({ frames: [subscribe('introspection', { query: r.pick(['{ __schema { types { name } } }', '{ __type(name: "Task") { fields { name } } }', '{ taks { id } }']) })], expect: { answers: ['introspection'] } }),
  // --- wrong variable types
  (r) => ({
    frames: [
      subscribe('vars', {
        query: `subscription($id: ID, $status: TaskStatus, $after: ID, $type: String) { taskUpdated(id: $id, status: $status, after: $after, type: $type) { id } }`,
        variables: r.pick([{ id: 'not-a-uuid' }, { id: 42.5 }, { id: [] }, { status: 'DONE' }, { status: 3 }, { after: 'yesterday' }, { after: '-1' }, { after: '1e999' }, { type: { a: 1 } }, { type: 'Not A Type' }, { id: 'x'.repeat(5000) }, { status: { __proto__: 1 } }]),
      }),
    ],
    expect: { answers: ['vars'] },
  }),
  (r) => ({ frames: [subscribe('undeclared', { query: 'subscription($id: ID!) { taskUpdated(id: $id) { id } }', variables: r.pick([{}, { id: null }, { other: 1 }]) })], expect: { answers: ['undeclared'] } }),
  // --- queries and mutations are not for this door: never a write
  (r, s, seeded) => ({
    frames: [
      subscribe('write', {
        query: r.pick([
          'mutation { createTask(input: {description: "written over a socket"}) { id } }',
          `mutation { updateTask(id: "${seeded.pending}", input: {log: "changed over a socket"}) { id } }`,
          `mutation($id: ID!) { updateTask(id: $id, input: {status: IN_PROGRESS}) { id } }`,
        ]),
        variables: { id: seeded.pending },
      }),
    ],
    expect: { answers: ['write'] },
  }),
  // --- connection params
  (r, s) => ({
    init: r.pick([
      noPayload as unknown,
      {},
      { authorization: 'test-writer:AAAA', date: new Date().toUTCString() },
      signedConnectionParams({ user: 'ghost', secret: 'x' }, s.host),
      signedConnectionParams(testKeys.writer, s.host, new Date(Date.now() + r.pick([-1, 1]) * r.int(16, 10_000) * 60_000)),
      signedConnectionParams(testKeys.writer, 'evil.example'),
      { authorization: junk(r, r.int(1, 500)), date: junk(r, r.int(1, 100)) },
      { authorization: 1, date: [] },
    ]),
    frames: [],
    expect: 'close',
  }),
  (r, s) => ({ protocol: r.pick(['graphql-ws', 'nope', 'graphql-transport-ws-x']), init: s.wsConnectionParams(), frames: [], expect: 'close' }),
];

/** Runs one session; resolves with the close code (or 101) and what the server said. */
function runSession(server: TestServer, session: Session): Promise<Outcome & { failure?: string }> {
  return new Promise((resolve) => {
    const socket = new WebSocket(server.wsUrl, session.protocol ?? 'graphql-transport-ws');
    const messages: any[] = [];
    const answered = new Set<string>();
    let settled = false;
    const finish = (status: number, failure?: string) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (socket.readyState === WebSocket.OPEN || socket.readyState === WebSocket.CONNECTING) socket.terminate();
      resolve({ status, body: JSON.stringify(messages).slice(0, 2000), failure });
    };
    const timer = setTimeout(() => finish(0, `no close and no answer; got ${JSON.stringify(messages).slice(0, 300)}`), unansweredAfterMs);
    const sendFrames = () => {
      for (const frame of session.frames) socket.send(frame);
      if (session.expect !== 'close') maybeDone();
    };
    let pinged = false;
    const maybeDone = () => {
      if (session.expect === 'close' || pinged) return;
      if (!session.expect.answers.every((id) => answered.has(id))) return;
      pinged = true;
      socket.send(message('ping', { payload: { hostile: 'done' } }));
    };
    socket.on('open', () => {
      if (session.init === false) return sendFrames();
      const payload = session.init === undefined ? server.wsConnectionParams() : session.init;
      socket.send(message('connection_init', payload === noPayload ? {} : { payload }));
    });
    socket.on('message', (data) => {
      let parsed: any;
      try {
        parsed = JSON.parse(String(data));
      } catch {
        return finish(-1, 'the server sent a frame that is not JSON');
      }
      messages.push(parsed);
      if (parsed.type === 'connection_ack' && messages.filter((m) => m.type === 'connection_ack').length === 1) return sendFrames();
      if ((parsed.type === 'error' || parsed.type === 'complete') && parsed.id) answered.add(parsed.id);
      if (parsed.type === 'pong' && pinged) {
        socket.close(1000);
        return finish(101);
      }
      maybeDone();
    });
    socket.on('unexpected-response', (_req, res) => finish(res.statusCode ?? 0, `the upgrade was answered with HTTP ${res.statusCode}`));
    socket.on('error', (error) => {
      // The server did not pick the offered subprotocol: the handshake itself refused it.
      if (/no subprotocol/i.test(error.message) && session.protocol) finish(subprotocolRefused);
    });
    socket.on('close', (code, reason) => {
      messages.push({ closed: code, reason: String(reason) });
      finish(code, session.expect === 'close' ? undefined : `closed with ${code} where an answer was due`);
    });
  });
}

/** graphql-ws over WebSocket: frames, message order, sizes, documents, variables and connection params. */
export function websocketDoor(server: TestServer, seeded: Seeded, cases: number, seed: number): HostileDoor {
  return {
    name: 'websocket',
    cases,
    async attack(i) {
      const session = attacks[i % attacks.length](rng(seed * 1_000_037 + i), server, seeded);
      const outcome = await runSession(server, session);
      return { status: outcome.status, body: outcome.failure ? `FAILURE ${outcome.failure} ${outcome.body}` : outcome.body };
    },
    judge(outcome) {
      if (outcome.body.startsWith('FAILURE ')) return outcome.body.slice(8, 300);
      if (/INTERNAL_SERVER_ERROR|Internal server error|stacktrace/i.test(outcome.body)) return 'an internal error leaked';
      if (/"data":\{"(createTask|updateTask)"/.test(outcome.body)) return 'a write was served over the socket';
      if (outcome.status === 101) return undefined;
      // 4500 is graphql-ws's own "Internal server error".
      if ((outcome.status >= 4000 && outcome.status <= 4499) || outcome.status === 1009) return undefined;
      return `closed with ${outcome.status}`;
    },
  };
}
