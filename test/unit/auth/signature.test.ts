import { canonicalResource, parseAuthorization, rfc3986, signParts, stringToSign } from '../../../src/auth/signature';
import { canonicalResource as specResource, hmacSha1Base64 } from '../../helpers/signing';

/**
 * Signing version 2, the server's reading of it (src/auth/signature.ts), against fixed examples
 * and the independent test signer. Client kits can check themselves against the same examples.
 */
describe('the canonical resource', () => {
  it.each([
    ['/tasks/', '', '/tasks/'],
    ['/tasks/', '?', '/tasks/'],
    ['/graphql', '?query=%7B%20lastEventId%20%7D', '/graphql?query=%7B%20lastEventId%20%7D'],
    ['/tasks/', '?status=in+progress&limit=2&after', '/tasks/?after=&limit=2&status=in%20progress'],
    ['/tasks/', '?b=2&a=2&a=1', '/tasks/?a=1&a=2&b=2'],
    ['/tasks/', "?q=!'()*~-._", '/tasks/?q=%21%27%28%29%2A~-._'],
    ['/tasks/', '?q=%C3%A9t%C3%A9', '/tasks/?q=%C3%A9t%C3%A9'],
    ['/tasks/', '?q=été', '/tasks/?q=%C3%A9t%C3%A9'],
    ['/tasks/', '?q=%2b', '/tasks/?q=%2B'],
    ['/tasks/events', '?X-VirtShell-Key=k_1&X-VirtShell-Expires=9&X-VirtShell-Signature=abc', '/tasks/events'],
    ['/tasks/events', '?status=failed&X-VirtShell-Signature=abc', '/tasks/events?status=failed'],
    ['/tasks/in%20progress', '', '/tasks/in%20progress'],
  ])('signs %s%s as %s', (path, search, expected) => {
    expect(canonicalResource(path, search)).toBe(expected);
    expect(specResource(`${path}${search}`)).toBe(expected);
  });

  it('encodes by RFC 3986: unreserved characters kept, everything else %XX upper case', () => {
    expect(rfc3986("AZaz09-._~ !*'()/?&=+é")).toBe("AZaz09-._~%20%21%2A%27%28%29%2F%3F%26%3D%2B%C3%A9");
  });
});

describe('the string to sign', () => {
  it('joins verb, host, Content-MD5, Content-Type, date and resource with newlines', () => {
    const parts = { method: 'GET', host: 'localhost:4000', contentMd5: '', contentType: '', date: '2026-11-27T16:00:00.123Z', resource: '/tasks/?limit=2' };
    expect(stringToSign(parts)).toBe('GET\nlocalhost:4000\n\n\n2026-11-27T16:00:00.123Z\n/tasks/?limit=2');
    expect(signParts('secret', parts)).toBe(hmacSha1Base64('secret', stringToSign(parts)));
  });

  it('reads the key id or user id before the last colon', () => {
    expect(parseAuthorization('k_0123abcd:c2lnbg==')).toEqual({ principal: 'k_0123abcd', signature: 'c2lnbg==' });
    expect(parseAuthorization('static:1:c2lnbg==')).toEqual({ principal: 'static:1', signature: 'c2lnbg==' });
    expect(parseAuthorization('no-signature:')).toBeUndefined();
  });
});
