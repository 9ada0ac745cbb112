import { createSecretKey } from 'node:crypto';
import { contentMd5, expectedSignature, parseAuthorization, signatureDigest, signatureMatches, signParts, type SignedParts, stringToSign } from '../../../src/auth/signature';
import { hmacSha1Base64 } from '../../helpers/signing';

/**
 * The request signature (version 2, see the README's Authentication section):
 *   Signature    = Base64(HMAC-SHA1(secret, UTF-8(StringToSign)))
 *   StringToSign = VERB \n Host \n Content-MD5 \n Content-Type \n Date \n resource
 * Each case below is a request as a caller sends it and the exact string the server must sign;
 * when the resource rules grow (the query string), add rows here.
 */
const date = 'Fri, 27 Nov 2026 16:00:00 GMT';
const base: SignedParts = { method: 'GET', host: '127.0.0.1:4000', contentMd5: '', contentType: '', date, resource: '/tasks' };
const request = (overrides: Partial<SignedParts>): SignedParts => ({ ...base, ...overrides });

const cases: [what: string, parts: SignedParts, expected: string][] = [
  ['a GET without a body signs empty Content-MD5 and Content-Type lines', request({}), `GET\n127.0.0.1:4000\n\n\n${date}\n/tasks`],
  [
    'a PUT with a JSON body signs its MD5 and type',
    request({ method: 'PUT', contentMd5: 'l4FjUUeaw1N1wQ5zVGyUWQ==', contentType: 'application/json', resource: '/api/virtshell/v1/tasks/3f2504e0-4f89-41d3-9a0c-0305e82c3301' }),
    `PUT\n127.0.0.1:4000\nl4FjUUeaw1N1wQ5zVGyUWQ==\napplication/json\n${date}\n/api/virtshell/v1/tasks/3f2504e0-4f89-41d3-9a0c-0305e82c3301`,
  ],
  ['the path is signed as sent, percent-encoding kept', request({ resource: '/tasks/status/in%20progress' }), `GET\n127.0.0.1:4000\n\n\n${date}\n/tasks/status/in%20progress`],
  ['an ISO 8601 date with milliseconds is signed as written', request({ date: '2026-11-27T16:00:00.123Z' }), `GET\n127.0.0.1:4000\n\n\n2026-11-27T16:00:00.123Z\n/tasks`],
  ['the Host line carries the port the client used', request({ host: 'api.example.com' }), `GET\napi.example.com\n\n\n${date}\n/tasks`],
];

describe('the string a request signs', () => {
  it.each(cases)('%s', (_what, parts, expected) => {
    expect(stringToSign(parts)).toBe(expected);
  });

  it('always has six lines, in the documented order, whatever is empty', () => {
    const lines = stringToSign({ method: 'M', host: 'H', contentMd5: '', contentType: '', date: 'D', resource: 'P' }).split('\n');
    expect(lines).toEqual(['M', 'H', '', '', 'D', 'P']);
  });
});

describe('signing and checking a signature', () => {
  it.each(cases)('signs %s exactly as a client written from the spec does', (_what, parts, expected) => {
    expect(signParts('writer-secret-0123456789abcdef', parts)).toBe(hmacSha1Base64('writer-secret-0123456789abcdef', expected));
  });

  it('matches fixed vectors computed with openssl (HMAC-SHA1, Base64, UTF-8 secret)', () => {
    const put = request({ method: 'PUT', host: 'api.example.com:4000', contentMd5: contentMd5('{"status":"failed"}'), contentType: 'application/json', resource: '/api/virtshell/v1/tasks/3f2504e0-4f89-41d3-9a0c-0305e82c3301' });
    expect(put.contentMd5).toBe('l4FjUUeaw1N1wQ5zVGyUWQ==');
    expect(signParts('writer-secret-0123456789abcdef', put)).toBe('4D4zjjss16iUJkUM+wW9g3kSCAM=');
    expect(signParts('écrit-secret', request({ host: '127.0.0.1:4000', resource: '/tasks/status/in%20progress' }))).toBe('HjbAYkYiSPBXeadqLKiKlXENwNY=');
  });

  it('accepts the signature it made and nothing else', () => {
    const toSign = stringToSign(cases[1][1]);
    const expected = signatureDigest('writer-secret-0123456789abcdef', toSign);
    const good = expected.toString('base64');
    expect(signatureMatches(expected, good)).toBe(true);
    expect(signatureMatches(expected, signParts('another-secret', cases[1][1]))).toBe(false);
    expect(signatureMatches(expected, signParts('writer-secret-0123456789abcdef', { ...cases[1][1], method: 'POST' }))).toBe(false);
  });

  const digest = signatureDigest('s', 'text');
  const good = digest.toString('base64');
  it.each([
    ['an empty claim', ''],
    ['a truncated signature', good.slice(0, -4)],
    ['the signature with a character base64 decoding skips', `${good.slice(0, 10)}*${good.slice(10)}`],
    ['the signature without its padding', good.replace(/=+$/, '')],
    ['a claim of the wrong length', Buffer.alloc(32).toString('base64')],
    ['the signature with a non-ASCII character whose low byte is the right one', `${String.fromCharCode(0x100 + good.charCodeAt(0))}${good.slice(1)}`],
  ])('refuses %s', (_what, claim) => {
    expect(signatureMatches(digest, claim)).toBe(false);
    expect(signatureMatches(good, claim)).toBe(false);
  });

  it('makes the same signature from a secret string and from its KeyObject', () => {
    const toSign = stringToSign(cases[1][1]);
    const secret = 'écrit-secret';
    const text = expectedSignature(createSecretKey(Buffer.from(secret, 'utf8')), toSign);
    expect(text).toBe(signatureDigest(secret, toSign).toString('base64'));
    expect(signatureMatches(text, signatureDigest(secret, toSign).toString('base64'))).toBe(true);
  });

  it('hashes a body as Base64 MD5, the same for a string and its UTF-8 bytes', () => {
    expect(contentMd5('')).toBe('1B2M2Y8AsgTpgAmY7PhCfg==');
    expect(contentMd5('{"description":"é"}')).toBe(contentMd5(Buffer.from('{"description":"é"}', 'utf8')));
  });
});

describe('reading the authorization header', () => {
  it.each([
    ['test-writer:abc=', { principal: 'test-writer', signature: 'abc=' }],
    ['k_0123abcd:abc=', { principal: 'k_0123abcd', signature: 'abc=' }],
    [' user : sig ', { principal: 'user', signature: 'sig' }],
    ['a:b:c', { principal: 'a:b', signature: 'c' }],
  ])('reads %p as a principal (key id or user id) and a signature', (header, parsed) => {
    expect(parseAuthorization(header)).toEqual(parsed);
  });

  it.each(['', ':', 'no-colon', ':sig', 'user:', ' :sig', 'user: ', `${'u'.repeat(129)}:sig`])('refuses %p', (header) => {
    expect(parseAuthorization(header)).toBeUndefined();
  });
});
