import * as crypto from 'node:crypto';
import { createHash, createHmac, type KeyObject, timingSafeEqual } from 'node:crypto';

/**
 * The VirtShell request signature, version 2 (README "Authentication"):
 *   Signature    = Base64(HMAC-SHA1(secret, UTF-8(StringToSign)))
 *   StringToSign = VERB \n Host \n Content-MD5 \n Content-Type \n Date \n CanonicalizedResource
 * An absent header signs as an empty line. The resource is the path as sent plus the sorted query
 * string (canonicalResource), so one signature authorises one read, not any query on the path.
 */
export interface SignedParts {
  method: string;
  host: string;
  contentMd5: string;
  contentType: string;
  /** The Date (or X-VirtShell-Date) header as sent; for a presigned URL, its expiry in epoch seconds. */
  date: string;
  /** The canonicalized resource (canonicalResource), not a raw URL. */
  resource: string;
}

/** The verb the graphql-ws handshake signs, so that neither an HTTP GET nor a socket signature opens the other door. */
export const webSocketVerb = 'GRAPHQL-WS';

/** The query parameters of a presigned URL; never part of the canonical resource. */
export const presignParams = {
  key: 'X-VirtShell-Key',
  expires: 'X-VirtShell-Expires',
  signature: 'X-VirtShell-Signature',
} as const;
const presignNames = new Set<string>(Object.values(presignParams));

export function stringToSign(parts: SignedParts): string {
  return `${parts.method}\n${parts.host}\n${parts.contentMd5}\n${parts.contentType}\n${parts.date}\n${parts.resource}`;
}

/** RFC 3986 encoding: unreserved characters kept, every other UTF-8 byte as upper-case %XX. */
export function rfc3986(value: string): string {
  return encodeURIComponent(value).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

/**
 * The resource a request signs: `path` exactly as on the wire, then, when the query has a
 * parameter other than the presign ones, `?` and every parameter as `name=value`, both decoded
 * as the server reads them (URLSearchParams: `+` is a space) and re-encoded by RFC 3986, sorted
 * by encoded name then encoded value (plain code-unit order), joined by `&`.
 * `search` may start with `?` or not.
 */
export function canonicalResource(path: string, search: string): string {
  // No query (every POST /graphql): nothing to sort, and no URLSearchParams to build.
  if (search === '' || search === '?') return path;
  const pairs: [string, string][] = [];
  for (const [name, value] of new URLSearchParams(search)) {
    if (!presignNames.has(name)) pairs.push([rfc3986(name), rfc3986(value)]);
  }
  if (pairs.length === 0) return path;
  pairs.sort(([an, av], [bn, bv]) => (an < bn ? -1 : an > bn ? 1 : av < bv ? -1 : av > bv ? 1 : 0));
  return `${path}?${pairs.map(([name, value]) => `${name}=${value}`).join('&')}`;
}

/**
 * The raw HMAC-SHA1 digest (20 bytes) of a string-to-sign. `secret` may be a KeyObject made once
 * per key (createSecretKey of its UTF-8 bytes): the same HMAC, without importing the key anew on
 * every request.
 */
export function signatureDigest(secret: string | KeyObject, toSign: string): Buffer {
  return createHmac('sha1', secret).update(toSign, 'utf8').digest();
}

/** The expected signature as Base64 text (28 characters), what a client sends after the colon. */
export function expectedSignature(secret: string | KeyObject, toSign: string): string {
  return createHmac('sha1', secret).update(toSign, 'utf8').digest('base64');
}

/** Base64 signature of the parts, as a client puts it after `KeyId:` (or `UserId:`). */
export function signParts(secret: string, parts: SignedParts): string {
  return signatureDigest(secret, stringToSign(parts)).toString('base64');
}

/** node's one-shot digest (20.12+): no Hash object per call, about half the cost for a small body. */
const oneShotHash = (crypto as { hash?: (algorithm: string, data: Buffer | string, encoding: 'base64') => string }).hash;

/** Base64 MD5 of a body, the value of a Content-MD5 header. */
export function contentMd5(body: Buffer | string): string {
  if (oneShotHash) return oneShotHash('md5', body, 'base64');
  return createHash('md5').update(body).digest('base64');
}

/** `<KeyId-or-UserId>:<Signature>`; the signature is base64 (no colon), so the last colon splits them. */
export function parseAuthorization(value: string): { principal: string; signature: string } | undefined {
  const colon = value.lastIndexOf(':');
  if (colon <= 0 || colon === value.length - 1) return undefined;
  const principal = value.slice(0, colon).trim();
  const signature = value.slice(colon + 1).trim();
  if (!principal || !signature || principal.length > 128) return undefined;
  return { principal, signature };
}

const digestLength = 20;
/** Base64 of 20 bytes: 28 characters, one "=" of padding. */
const signatureLength = 28;
const filler = Buffer.alloc(signatureLength);
// The two texts compared are written into these (no buffers made per check): the check is synchronous.
const claimedBytes = Buffer.alloc(signatureLength);
const expectedBytes = Buffer.alloc(signatureLength);

/**
 * Constant-time comparison of a claimed base64 signature with the expected one (the raw digest,
 * or its Base64 text from expectedSignature). The texts are compared, not the decoded bytes:
 * only the canonical spelling of the digest can equal it (base64 decoding would ignore junk
 * characters and missing padding), and nothing is decoded or re-encoded per request. The claim
 * is compared as UTF-8 bytes, so a character outside ASCII can never pass for an ASCII one. A
 * claim of the wrong length is still compared (filler against filler) so that it costs the same.
 */
export function signatureMatches(expected: Buffer | string, claimedBase64: string): boolean {
  const expectedText = typeof expected === 'string' ? expected : expected.length === digestLength ? expected.toString('base64') : '';
  const sameLength = Buffer.byteLength(claimedBase64, 'utf8') === signatureLength && expectedText.length === signatureLength;
  if (sameLength) {
    claimedBytes.write(claimedBase64, 0, 'utf8');
    expectedBytes.write(expectedText, 0, 'latin1');
  }
  const equal = timingSafeEqual(sameLength ? claimedBytes : filler, sameLength ? expectedBytes : filler);
  return sameLength && equal;
}
