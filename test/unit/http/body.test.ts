import { createServer, type IncomingMessage, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readBody, receivedBody, requestBody } from '../../../src/http/body';

/** receivedBody (src/http/body.ts) against node's own HTTP parser: what it takes, and when it leaves the body to readBody. */
describe('a body node has already received', () => {
  let server: Server;
  let seen: (req: IncomingMessage) => Promise<unknown>;
  beforeAll(async () => {
    server = createServer((req, res) => {
      // Read after a tick, as the GraphQL door does once the headers are authenticated.
      setImmediate(() => seen(req).then((value) => res.end(JSON.stringify(value))));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  function send(body: string | undefined, headers: Record<string, string> = {}): Promise<string> {
    const { port } = server.address() as AddressInfo;
    return new Promise((resolve, reject) => {
      const req = request({ port, host: '127.0.0.1', method: 'POST', path: '/', headers }, (res) => {
        let text = '';
        res.on('data', (chunk) => (text += chunk));
        res.on('end', () => resolve(text));
      });
      req.on('error', reject);
      req.end(body);
    });
  }

  it('is the whole body, byte for byte, when it came with the headers', async () => {
    seen = async (req) => receivedBody(req, 1000)?.toString('utf8') ?? 'not received';
    expect(JSON.parse(await send('{"query":"{ lastEventId }","é":1}'))).toBe('{"query":"{ lastEventId }","é":1}');
  });

  it('is the whole body when asked for in the request event itself, without waiting for the end of the message', async () => {
    const early = createServer((req, res) => {
      void Promise.resolve(requestBody(req, 1000, 0)).then((body) => res.end(JSON.stringify({ body: body.toString('utf8'), completeYet: req.complete })));
    });
    await new Promise<void>((resolve) => early.listen(0, '127.0.0.1', resolve));
    try {
      const answer = await new Promise<string>((resolve, reject) => {
        const req = request({ port: (early.address() as AddressInfo).port, host: '127.0.0.1', method: 'POST', path: '/', headers: { 'content-length': '17' } }, (res) => {
          let text = '';
          res.on('data', (chunk) => (text += chunk));
          res.on('end', () => resolve(text));
        });
        req.on('error', reject);
        req.end('{"query":"{ a }"}');
      });
      expect(JSON.parse(answer)).toEqual({ body: '{"query":"{ a }"}', completeYet: false });
    } finally {
      await new Promise<void>((resolve) => early.close(() => resolve()));
    }
  });

  it('is an empty buffer for a request without a body', async () => {
    seen = async (req) => receivedBody(req, 1000)?.length ?? 'not received';
    expect(JSON.parse(await send(undefined))).toBe(0);
  });

  it('leaves a body over the limit to readBody, which refuses it', async () => {
    seen = async (req) => (receivedBody(req, 10) === undefined ? readBody(req, 10).then(() => 'read', (error: Error) => error.message) : 'taken');
    expect(JSON.parse(await send('x'.repeat(100)))).toBe('request body exceeds 10 bytes');
  });

  it('leaves a body still arriving to readBody', async () => {
    const { port } = server.address() as AddressInfo;
    seen = async (req) => {
      const early = receivedBody(req, 1000);
      return { early: early === undefined ? 'left' : 'taken', read: (await readBody(req, 1000)).toString('utf8') };
    };
    const answer = await new Promise<string>((resolve, reject) => {
      const req = request({ port, host: '127.0.0.1', method: 'POST', path: '/', headers: { 'content-length': '10' } }, (res) => {
        let text = '';
        res.on('data', (chunk) => (text += chunk));
        res.on('end', () => resolve(text));
      });
      req.on('error', reject);
      req.write('01234');
      setTimeout(() => req.end('56789'), 50);
    });
    expect(JSON.parse(answer)).toEqual({ early: 'left', read: '0123456789' });
  });
});
