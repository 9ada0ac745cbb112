import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

/**
 * The VirtShell request signature, exactly as LEGACY-CALLERS.md designs it:
 *   Signature    = Base64(HMAC-SHA1(secret, UTF-8(StringToSign)))
 *   StringToSign = method \n Host \n Content-MD5 \n Content-Type \n Date \n path
 * An absent header signs as an empty line; the path carries no query string.
 */
export interface SignedParts {
  method: string;
  host: string;
  contentMd5: string;
  contentType: string;
  date: string;
  path: string;
}

export function stringToSign(parts: SignedParts): string {
  return [parts.method, parts.host, parts.contentMd5, parts.contentType, parts.date, parts.path].join('\n');
}

/** The raw HMAC-SHA1 digest (20 bytes) of a string-to-sign. */
export function signatureDigest(secret: string, toSign: string): Buffer {
  return createHmac('sha1', secret).update(toSign, 'utf8').digest();
}

/** Base64 signature of the parts, as a client puts it after `UserId:`. */
export function signParts(secret: string, parts: SignedParts): string {
  return signatureDigest(secret, stringToSign(parts)).toString('base64');
}

/** Base64 MD5 of a body, the value of a Content-MD5 header. */
export function contentMd5(body: Buffer | string): string {
  return createHash('md5').update(body).digest('base64');
}

/** `<UserId>:<Signature>`; the signature is base64 (no colon), so the last colon splits them. */
export function parseAuthorization(value: string): { user: string; signature: string } | undefined {
  const colon = value.lastIndexOf(':');
  if (colon <= 0 || colon === value.length - 1) return undefined;
  const user = value.slice(0, colon).trim();
  const signature = value.slice(colon + 1).trim();
  if (!user || !signature || user.length > 128) return undefined;
  return { user, signature };
}

const digestLength = 20;
const filler = Buffer.alloc(digestLength);

/**
 * Constant-time comparison of a claimed base64 signature with the expected digest. A claim of
 * the wrong length is still compared (against filler) so that it costs the same time.
 */
export function signatureMatches(expected: Buffer, claimedBase64: string): boolean {
  const claimed = Buffer.from(claimedBase64, 'base64');
  const sameLength = claimed.length === digestLength && expected.length === digestLength;
  const equal = timingSafeEqual(sameLength ? claimed : filler, sameLength ? expected : filler);
  // Base64 decoding ignores junk characters; insist that the claim is the canonical spelling.
  return sameLength && equal && claimed.toString('base64') === claimedBase64;
}
