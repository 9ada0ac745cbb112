import { createServer, type Server } from 'node:http';
import { connect } from 'node:net';
import { answerClientError } from '../../../src/http/client-error';

/**
 * node:http's 'clientError' answers (src/http/client-error.ts), on a real node:http server and a
 * raw TCP client: what a client sends that node cannot parse gets a JSON refusal it can read.
 */
describe('answering a request node cannot parse', () => {
  let server: Server;
  let port: number;
  beforeAll(async () => {
    server = createServer({ maxHeaderSize: 1024 }, (_req, res) => res.end('ok'));
    server.on('clientError', answerClientError);
    await new Promise<void>((listening) => server.listen(0, '127.0.0.1', listening));
    port = (server.address() as { port: number }).port;
  });
  afterAll(() => new Promise<void>((closed) => server.close(() => closed())));

  /** Sends raw bytes and reads everything until the server closes the connection. */
  function send(bytes: string): Promise<string> {
    return new Promise((answered, failed) => {
      const socket = connect(port, '127.0.0.1', () => socket.write(bytes));
      let text = '';
      socket.on('data', (chunk: Buffer) => (text += chunk.toString('latin1')));
      socket.on('error', failed);
      socket.on('close', () => answered(text));
    });
  }

  it.each([
    ['a request line that is not HTTP', 'GARBAGE\r\n\r\n', 400],
    ['headers over the size limit', `GET / HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(4000)}\r\n\r\n`, 431],
  ])('answers %s with its status and a JSON error body, then closes', async (_what, bytes, status) => {
    const answer = await send(bytes);
    const [head, body] = answer.split('\r\n\r\n');
    expect(head).toMatch(new RegExp(`^HTTP/1\\.1 ${status} `));
    expect(head).toContain('Content-Type: application/json');
    expect(head).toContain(`Content-Length: ${Buffer.byteLength(body)}`);
    expect(JSON.parse(body)).toEqual({ error: expect.any(String) });
  });

  it('still serves a well-formed request on the same server', async () => {
    expect(await send('GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n')).toMatch(/^HTTP\/1\.1 200 OK[\s\S]*ok$/);
  });
});
