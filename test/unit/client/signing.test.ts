import { createHash, createHmac } from 'node:crypto';
import { canonicalResource, compareEventIds, connectionParams, FeedPosition, presign, sign, stringToSign } from '../../../src/client';

const key = { key: 'k_0123abcd', secret: 'the-secret' };
const hmac = (text: string) => createHmac('sha1', key.secret).update(text, 'utf8').digest('base64');

describe('the client kit signs requests as the v2 contract says', () => {
  it('signs the path alone when there is no query string, as legacy callers do', () => {
    expect(canonicalResource('http://h/tasks/')).toBe('/tasks/');
    expect(canonicalResource('http://h/tasks/?')).toBe('/tasks/');
  });

  it('sorts query parameters by name then value and encodes them by RFC 3986', () => {
    expect(canonicalResource('http://h/graphql?query=%7B%20a%20%7D&b=2&a=z&a=1&flag')).toBe('/graphql?a=1&a=z&b=2&flag=&query=%7B%20a%20%7D');
    expect(canonicalResource("http://h/p?x=it's+(ok)*!~")).toBe('/p?x=it%27s%20%28ok%29%2A%21~');
    expect(canonicalResource('http://h/p?name=caf%C3%A9')).toBe('/p?name=caf%C3%A9');
  });

  it('leaves the presign parameters out of the resource', () => {
    expect(canonicalResource('http://h/tasks/events?X-VirtShell-Key=u&X-VirtShell-Expires=1&X-VirtShell-Signature=s')).toBe('/tasks/events');
    expect(canonicalResource('http://h/tasks/events?status=failed&X-VirtShell-Key=u')).toBe('/tasks/events?status=failed');
  });

  it('signs the path as it goes on the wire', () => {
    expect(canonicalResource('http://h/tasks/in progress')).toBe('/tasks/in%20progress');
  });

  it('signs a body with its Content-MD5 and an ISO date with milliseconds', async () => {
    const date = new Date('2026-11-27T16:00:00.123Z');
    const body = '{"query":"{ tasks { totalCount } }"}';
    const headers = await sign(key, { method: 'post', url: 'http://127.0.0.1:4000/graphql', body, contentType: 'application/json', date });
    const md5 = createHash('md5').update(body).digest('base64');
    expect(headers).toEqual({
      'X-VirtShell-Authorization': `k_0123abcd:${hmac(`POST\n127.0.0.1:4000\n${md5}\napplication/json\n2026-11-27T16:00:00.123Z\n/graphql`)}`,
      'X-VirtShell-Date': '2026-11-27T16:00:00.123Z',
      'Content-MD5': md5,
      'Content-Type': 'application/json',
    });
  });

  it('gives two identical writes a millisecond apart different signatures', async () => {
    const request = { method: 'POST', url: 'http://h/tasks/', body: '{"description":"same"}' };
    const first = await sign(key, { ...request, date: new Date(1_800_000_000_000) });
    const second = await sign(key, { ...request, date: new Date(1_800_000_000_001) });
    expect(first['X-VirtShell-Authorization']).not.toBe(second['X-VirtShell-Authorization']);
  });

  it('signs the graphql-ws handshake with the GRAPHQL-WS verb, never as a GET', async () => {
    const now = () => new Date('2026-11-27T16:00:00.000Z');
    const params = await connectionParams(key, 'ws://127.0.0.1:4000/graphql', { now });
    expect(params).toEqual({ authorization: `k_0123abcd:${hmac('GRAPHQL-WS\n127.0.0.1:4000\n\n\n2026-11-27T16:00:00.000Z\n/graphql')}`, date: '2026-11-27T16:00:00.000Z' });
  });

  it('presigns a feed URL with key, expiry and signature, leaving the caller\'s query as written', async () => {
    const now = () => new Date(1_800_000_000_000);
    const url = new URL(await presign(key, 'http://127.0.0.1:4000/tasks/events?status=in%20progress', { now, expiresIn: 600 }));
    expect(url.search.startsWith('?status=in%20progress&')).toBe(true);
    expect(url.searchParams.get('X-VirtShell-Key')).toBe('k_0123abcd');
    expect(url.searchParams.get('X-VirtShell-Expires')).toBe('1800000600');
    expect(url.searchParams.get('X-VirtShell-Signature')).toBe(hmac('GET\n127.0.0.1:4000\n\n\n1800000600\n/tasks/events?status=in%20progress'));
    const socket = new URL(await presign(key, 'ws://127.0.0.1:4000/graphql', { now }));
    expect(socket.searchParams.get('X-VirtShell-Signature')).toBe(hmac('GRAPHQL-WS\n127.0.0.1:4000\n\n\n1800000900\n/graphql'));
  });

  it('builds the string to sign with empty lines for absent headers', () => {
    expect(stringToSign({ verb: 'GET', host: 'h', date: 'd', resource: '/r' })).toBe('GET\nh\n\n\nd\n/r');
  });
});

describe('a feed position resumes exactly', () => {
  it('compares event ids as numbers of any size', () => {
    expect(compareEventIds('9', '10')).toBe(-1);
    expect(compareEventIds('90071992547409930', '90071992547409929')).toBe(1);
    expect(compareEventIds('007', '7')).toBe(0);
  });

  it('passes each event once and resumes after the last one passed', () => {
    const position = new FeedPosition('3');
    expect(position.variables({ id: 'x' })).toEqual({ id: 'x', after: '3' });
    expect(['2', '3', '4', '5', '4', '6'].map((id) => position.accept(id))).toEqual([false, false, true, true, false, true]);
    expect(position.variables({ id: 'x', after: '1' })).toEqual({ id: 'x', after: '6' });
    expect(position.dropped).toBe(3);
    expect(new FeedPosition().variables({ a: 1 })).toEqual({ a: 1 });
  });
});

describe('identical requests signed at once', () => {
  it('get different dates, one millisecond apart, so neither is a replay', async () => {
    const now = () => new Date('2026-11-27T16:00:00.500Z');
    const request = { method: 'POST', url: 'http://h/graphql', body: '{"query":"mutation { createTask(input: {description: \\"x\\"}) { id } }"}', contentType: 'application/json' };
    const signed = await Promise.all([sign(key, request, { now }), sign(key, request, { now }), sign(key, request, { now })]);
    expect(signed.map((h) => h['X-VirtShell-Date'])).toEqual(['2026-11-27T16:00:00.500Z', '2026-11-27T16:00:00.501Z', '2026-11-27T16:00:00.502Z']);
    expect(new Set(signed.map((h) => h['X-VirtShell-Authorization'])).size).toBe(3);
    // A different request at the same moment keeps the real time.
    expect((await sign(key, { ...request, body: '{}' }, { now }))['X-VirtShell-Date']).toBe('2026-11-27T16:00:00.500Z');
  });
});
