import { request } from 'node:http';
import { startServer, type TestServer } from '../../helpers/server';
import { signedHeaders } from '../../helpers/signing';
import { testKeys } from '../../helpers/server';
import { describeNeeding } from '../../helpers/environment';

const redisUrl = process.env.TEST_REDIS_URL;

/** With REDIS_URL, every instance shares the record of signed writes already served. */
describeNeeding('redis', 'replay protection across instances')('replay protection across instances (Redis)', () => {
  let a: TestServer;
  let b: TestServer;
  beforeAll(async () => {
    a = await startServer('sqlite', { REDIS_URL: redisUrl as string });
    b = await startServer('sqlite', { REDIS_URL: redisUrl as string });
  });
  afterAll(async () => {
    await a?.stop();
    await b?.stop();
  });

  it('refuses on one instance a signed write already served by another', async () => {
    const body = JSON.stringify({ query: `mutation { createTask(input: {description: "once across instances ${Date.now()}"}) { id } }` });
    // Both servers listen on 127.0.0.1 (different ports): sign for the first one's host and send the
    // same bytes to both, as a load balancer in front of them would pass them on.
    const headers = signedHeaders(testKeys.writer, { method: 'POST', host: a.host, path: '/graphql', body, contentType: 'application/json' });
    const first = await fetch(`${a.baseUrl}/graphql`, { method: 'POST', headers, body });
    expect(first.status).toBe(200);
    // fetch will not send another Host than the one it connects to: node:http will.
    const replay = await new Promise<{ status: number; body: any }>((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port: b.port, method: 'POST', path: '/graphql', headers: { ...headers, host: a.host } }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(Buffer.concat(chunks).toString()) }));
      });
      req.on('error', reject);
      req.end(body);
    });
    expect(replay.status).toBe(401);
    expect(replay.body.errors[0].extensions.reason).toBe('RequestReplayed');
  });
});

describe('replay protection when Redis cannot be reached', () => {
  it('keeps serving writes and reads, and still refuses a replay to the same instance', async () => {
    // Port 1 on the loopback: nothing listens there, so every Redis command fails.
    const server = await startServer('sqlite', { REDIS_URL: 'redis://127.0.0.1:1' });
    try {
      const body = JSON.stringify({ query: 'mutation { createTask(input: {description: "no redis"}) { id } }' });
      const headers = { ...server.signedHeaders('POST', '/graphql', body, { contentType: 'application/json' }), 'content-type': 'application/json' };
      const write = await server.request('POST', '/graphql', { body, headers });
      expect(write.status).toBe(200);
      expect(write.body.data.createTask.id).toBeDefined();
      const replay = await server.request('POST', '/graphql', { body, headers });
      expect(replay.status).toBe(401);
      expect(replay.body.errors[0].extensions.reason).toBe('RequestReplayed');
      expect((await server.gql('{ tasks { totalCount } }')).data).toEqual({ tasks: { totalCount: 1 } });
    } finally {
      await server.stop();
    }
  });
});
