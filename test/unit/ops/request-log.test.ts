import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { createLogger } from '../../../src/ops/logger';
import { Metrics } from '../../../src/ops/metrics';
import { InFlight, instrumentRequests, recordOf } from '../../../src/ops/request-log';

/** instrumentRequests (src/ops/request-log.ts) on a real socket: each request is logged and counted once. */
describe('the request log and count', () => {
  let server: Server;
  let port: number;
  const lines: { status: number; path: string; reason?: string }[] = [];
  const logged: (() => void)[] = [];
  const metrics = new Metrics();
  const inFlight = new InFlight();

  beforeAll(async () => {
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        for (const text of chunk.toString().split('\n').filter(Boolean)) lines.push(JSON.parse(text));
        for (const wake of logged.splice(0)) wake();
        done();
      },
    });
    const logger = createLogger('info', sink);
    server = createServer(
      instrumentRequests(
        (req, res) => {
          recordOf(req).door = 'legacy-rest';
          if (req.url === '/missing') {
            res.writeHead(404).end('{}');
          } else if (req.url === '/fails') {
            res.destroy(new Error('listener failed'));
          } else {
            // Never ends: the client goes away mid-response.
            res.writeHead(200);
            res.write('first piece');
          }
        },
        { logger, metrics, inFlight, stopping: () => false },
      ),
    );
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  const nextLine = () => new Promise<void>((resolve) => logged.push(resolve));
  const count = async (status: string) => {
    const text = await metrics.registry.getSingleMetricAsString('taskgate_requests_total');
    const line = text.split('\n').find((l) => l.includes(`status="${status}"`));
    return line ? Number(line.split(' ').pop()) : 0;
  };

  it('logs and counts a 4xx, a response the server cut and one the client left mid-way once each', async () => {
    const wrote = nextLine();
    await new Promise<void>((resolve) => request({ port, host: '127.0.0.1', path: '/missing' }, (res) => res.resume().on('end', resolve)).end());
    await wrote;

    const cut = nextLine();
    request({ port, host: '127.0.0.1', path: '/fails' }).on('error', () => undefined).end();
    await cut;

    const left = nextLine();
    const client = request({ port, host: '127.0.0.1', path: '/left' }, (res) => res.once('data', () => client.destroy()));
    client.on('error', () => undefined).end();
    await left;

    expect(lines.map((l) => [l.path, l.status])).toEqual([
      ['/missing', 404],
      ['/fails', 499],
      ['/left', 499],
    ]);
    expect(await count('404')).toBe(1);
    expect(await count('499')).toBe(2);
    expect(inFlight.size).toBe(0);
  });
});
