import { Agent, request as httpRequest } from 'node:http';
import { connect } from 'node:net';

/** A small seeded PRNG (mulberry32): the same seed gives the same hostile inputs on every run. */
export function rng(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    int: (min: number, max: number) => min + Math.floor(next() * (max - min + 1)),
    pick: <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)],
    chance: (p: number) => next() < p,
  };
}
export type Rng = ReturnType<typeof rng>;

/** What came back for one hostile input. `status` 0: the connection closed without an answer. */
export interface Outcome {
  status: number;
  body: string;
}

/**
 * A door the hostile suite can attack. `attack(i)` builds case i from its own seeded PRNG (so
 * cases do not depend on each other or on the order they run in) and sends it.
 */
export interface HostileDoor {
  name: string;
  cases: number;
  attack(i: number): Promise<Outcome>;
  /** What is wrong with an outcome (a 5xx, a write served, a crash...), or undefined when it is a proper refusal. */
  judge(outcome: Outcome): string | undefined;
}

export const agent = new Agent({ keepAlive: true, maxSockets: 8 });

/** node:http, not fetch: fetch normalises or refuses much of what a hostile client sends. */
export function send(port: number, method: string, path: string, headers: Record<string, string>, body?: Buffer | string, fresh = false): Promise<Outcome> {
  return new Promise((resolve) => {
    let req: ReturnType<typeof httpRequest>;
    try {
      req = httpRequest({ host: '127.0.0.1', port, method, path, headers, agent: fresh ? false : agent }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', () => resolve({ status: res.statusCode ?? 0, body: '' }));
      });
    } catch (error) {
      // The client library itself refused to send it (e.g. a method it cannot write): not a server answer.
      resolve({ status: -1, body: String(error) });
      return;
    }
    req.on('error', (error: NodeJS.ErrnoException) => {
      // A kept-alive socket the server had already closed (after refusing a body it would not
      // read): the request never reached it. Resend on a new connection, as node's docs advise.
      if (req.reusedSocket && error.code === 'ECONNRESET') return void send(port, method, path, headers, body, true).then(resolve);
      resolve({ status: 0, body: error.code ?? error.message });
    });
    req.end(body);
  });
}

/**
 * How long one hostile input may go unanswered before it counts as "no answer". A ceiling for a
 * server that hangs, not a speed measurement: on a busy machine answers take far longer than on
 * an idle one, and a clock that load can exhaust would turn slowness into failures.
 */
export const unansweredAfterMs = 60_000;

/** True once `text` holds a whole HTTP response: its head, then Content-Length bytes or the last chunk. */
function completeResponse(text: string): boolean {
  const headEnd = text.indexOf('\r\n\r\n');
  if (headEnd === -1) return false;
  const head = text.slice(0, headEnd);
  const body = text.slice(headEnd + 4);
  const length = /^content-length:\s*(\d+)/im.exec(head);
  if (length) return Buffer.byteLength(body, 'latin1') >= Number(length[1]);
  if (/^transfer-encoding:\s*chunked/im.test(head)) return /(^|\r\n)0\r\n\r\n$/.test(body);
  // Neither: the body runs until the server closes (the close event ends the read).
  return /^HTTP\/1\.[01] (1\d\d|204|304)/.test(head);
}

/** Bytes straight onto a socket, for what no HTTP client would send; resolves with the status line's code. */
export function sendRaw(port: number, bytes: Buffer): Promise<Outcome> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    let settled = false;
    const done = () => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      const text = Buffer.concat(chunks).toString('latin1');
      const match = /^HTTP\/1\.[01] (\d{3})/.exec(text);
      resolve({ status: match ? Number(match[1]) : 0, body: text });
    };
    // A server that says nothing and closes is status 0; one that never closes, too, at the ceiling.
    const timer = setTimeout(done, unansweredAfterMs);
    socket.on('data', (c: Buffer) => {
      chunks.push(c);
      if (completeResponse(Buffer.concat(chunks).toString('latin1'))) done();
    });
    socket.on('error', done);
    socket.on('close', done);
    socket.write(bytes);
    socket.end();
  });
}

/**
 * Runs every case of every door with bounded concurrency; returns outcomes tagged with the door.
 * `signal` stops it starting new cases (teardown after a failure or a timeout): the promise then
 * settles once the cases in flight have, so the server is never stopped under them.
 */
export async function runAll(doors: HostileDoor[], concurrency: number, signal?: AbortSignal): Promise<{ door: string; i: number; outcome: Outcome }[]> {
  const jobs = doors.flatMap((door) => Array.from({ length: door.cases }, (_, i) => ({ door, i })));
  const results: { door: string; i: number; outcome: Outcome }[] = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < jobs.length && !signal?.aborted) {
        const job = jobs[next++];
        results.push({ door: job.door.name, i: job.i, outcome: await job.door.attack(job.i) });
      }
    }),
  );
  return results;
}
