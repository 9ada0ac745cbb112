import { createSecretKey, type KeyObject } from 'node:crypto';
import type { Caller } from '../context';
import { announcesBody } from '../http/body';
import { andThen, type MaybePromise } from '../lib/maybe-promise';
import { AuthError, type Authenticator, type RequestHead } from './authenticate';
import type { ActiveKey } from './keys/key-store';
import type { KeyRing } from './keys/key-ring';
import type { SignatureProof } from './proof';
import type { ReplayGuard } from './replay-guard';
import {
  canonicalResource,
  contentMd5,
  expectedSignature,
  parseAuthorization,
  presignParams,
  type SignedParts,
  signatureMatches,
  stringToSign,
  webSocketVerb,
} from './signature';

export interface SignedAuthenticatorOptions {
  keys: KeyRing;
  replay: ReplayGuard;
  /** How far a request's Date may be from the server clock, either way. */
  clockSkewMs: number;
  /** Refuse a body that no Content-MD5 covers (the signature does not cover the body itself). */
  requireBodyMd5: boolean;
  /** Furthest ahead a presigned URL may expire. */
  presignMaxMs?: number;
  /** Runs once at start, after the keys are loaded (first-start key creation); `loadError` when the table could not be read. */
  onStart?: (loadError: unknown, publicUrl: string) => Promise<void>;
  now?: () => number;
}

// A secret no key has: unknown principals are checked against it so they cost what a bad signature costs.
const decoySecret = createSecretKey(Buffer.from('taskgate-decoy-secret-for-unknown-users', 'utf8'));
const dateFormats = 'RFC 1123 (Fri, 27 Nov 2026 16:00:00 GMT) or ISO 8601 with milliseconds (2026-11-27T16:00:00.123Z)';

/** A signature to check: what the client claims, and what the server expects it to cover. */
interface Claim {
  principal: string;
  signature: string;
  parts: SignedParts;
  /** Until when the signature may be used (epoch ms). */
  expiresAt: number;
}

/**
 * Every door's signature check (X-VirtShell-Authorization, HMAC-SHA1, version 2: see the README's
 * Authentication section). Headers and dates are checked before the body is read; the body is
 * checked against the signed Content-MD5 afterwards (acceptBody).
 */
export function signedAuthenticator(options: SignedAuthenticatorOptions): Authenticator {
  const now = options.now ?? Date.now;
  const presignMaxMs = options.presignMaxMs ?? 3_600_000;
  const skewSeconds = Math.round(options.clockSkewMs / 1000);
  // Each key's secret as a KeyObject, made on its first use: createHmac with a string imports the
  // key anew on every request. Weak, so a key object the ring replaced (a refresh) takes its entry
  // along; the secret it was made from is kept beside it, so a secret changed in place is never
  // checked with the old one.
  const secretKeys = new WeakMap<object, { secret: string; key: KeyObject }>();
  const secretKeyOf = (key: { secret?: string }): KeyObject => {
    const secret = key.secret as string;
    let made = secretKeys.get(key);
    if (made?.secret !== secret) {
      made = { secret, key: createSecretKey(Buffer.from(secret, 'utf8')) };
      secretKeys.set(key, made);
    }
    return made.key;
  };

  /** The key that made `claim`'s signature, or AuthError. Unknown principal and wrong signature answer alike. */
  function verify(claim: Claim): MaybePromise<Caller> {
    const toSign = stringToSign(claim.parts);
    // A principal not known yet waits for a fresh read of the keys table: a key created a moment ago works at once.
    return andThen(options.keys.lookup(claim.principal), (keys) => matchingKey(claim, toSign, keys));
  }

  function matchingKey(claim: Claim, toSign: string, keys: readonly ActiveKey[]): Caller {
    let matched = undefined as ActiveKey | undefined;
    if (keys.length === 0) signatureMatches(expectedSignature(decoySecret, toSign), claim.signature);
    for (const key of keys) {
      if (signatureMatches(expectedSignature(secretKeyOf(key), toSign), claim.signature)) matched ??= key;
    }
    if (!matched) {
      throw new AuthError(
        401,
        'SignatureDoesNotMatch',
        'the signature does not match: sign stringToSign (below) with HMAC-SHA1 and your secret, Base64-encode it, and put your key id or user id before the colon',
        { stringToSign: toSign },
      );
    }
    const proof: SignatureProof = {
      keyId: matched.id,
      fingerprint: `${matched.id}:${claim.signature}`,
      expiresAt: claim.expiresAt,
      contentMd5: claim.parts.contentMd5,
      claimed: false,
    };
    return { id: matched.user, role: matched.role, proof };
  }

  // The last date text parsed and its value: clients signing with RFC 1123 dates send the same
  // text for a whole second. Only the parse is reused; the skew is checked on every request.
  let lastDate = '';
  let lastDateMs = NaN;
  const parseDate = (date: string): number => {
    if (date === lastDate) return lastDateMs;
    const parsed = date.length <= 64 ? Date.parse(date) : NaN;
    lastDate = date;
    lastDateMs = parsed;
    return parsed;
  };

  /** The signed date: present, a date, and within the clock skew. Returns it in epoch ms. */
  function checkDate(date: string | undefined): number {
    if (date === undefined || date === '') throw new AuthError(401, 'MissingDate', 'send the signed date in a Date or X-VirtShell-Date header');
    const dateMs = parseDate(date);
    if (Number.isNaN(dateMs)) throw new AuthError(401, 'InvalidDate', `the date is not a date: use ${dateFormats}`);
    const current = now();
    if (Math.abs(current - dateMs) > options.clockSkewMs) {
      const off = Math.round((dateMs - current) / 1000);
      throw new AuthError(
        401,
        'RequestTimeTooSkewed',
        `the signed date is ${Math.abs(off)} seconds ${off < 0 ? 'behind' : 'ahead of'} the server clock (at most ${skewSeconds} allowed): set your clock, or sign with serverTime, and send again`,
        { serverTime: new Date(current).toISOString(), requestTime: new Date(dateMs).toISOString() },
      );
    }
    return dateMs;
  }

  function fromHeaders(head: RequestHead, authorization: string): Claim {
    const { headers } = head;
    const parsed = parseAuthorization(authorization);
    if (!parsed) throw new AuthError(401, 'MalformedAuthorization', 'the authorization header must be <KeyId or UserId>:<Base64 signature>');
    // Browsers cannot set Date: X-VirtShell-Date stands in for it (and is what gets signed).
    const date = single(headers['x-virtshell-date']) ?? single(headers.date);
    const dateMs = checkDate(date);
    const md5 = single(headers['content-md5']) ?? '';
    if (md5 === '' && options.requireBodyMd5 && announcesBody(headers)) {
      throw new AuthError(401, 'MissingContentMD5', 'a request with a body must carry Content-MD5 (the Base64 MD5 of the body) and sign it');
    }
    return {
      principal: parsed.principal,
      signature: parsed.signature,
      expiresAt: dateMs + options.clockSkewMs,
      parts: {
        method: head.method.toUpperCase(),
        host: single(headers.host) ?? '',
        contentMd5: md5,
        contentType: single(headers['content-type']) ?? '',
        date: date as string,
        resource: canonicalResource(head.path, head.search),
      },
    };
  }

  /** A presigned URL: key, expiry (epoch seconds, not past, not too far ahead) and signature in the query. */
  function fromPresignedUrl(verb: string, host: string, path: string, query: URLSearchParams, search: string): Claim {
    const principal = query.get(presignParams.key);
    const expires = query.get(presignParams.expires);
    const signature = query.get(presignParams.signature);
    if (!principal || !expires || !signature || query.getAll(presignParams.signature).length > 1) {
      throw new AuthError(401, 'MalformedPresignedUrl', `a presigned URL carries ${presignParams.key}, ${presignParams.expires} (epoch seconds) and ${presignParams.signature} once each`);
    }
    if (!/^\d{1,12}$/.test(expires)) throw new AuthError(401, 'MalformedPresignedUrl', `${presignParams.expires} must be the expiry in epoch seconds`);
    const expiresAt = Number(expires) * 1000;
    const current = now();
    if (expiresAt < current) {
      throw new AuthError(401, 'PresignedUrlExpired', 'the presigned URL has expired: presign a new one', { serverTime: new Date(current).toISOString(), expiredAt: new Date(expiresAt).toISOString() });
    }
    if (expiresAt - current > presignMaxMs + options.clockSkewMs) {
      throw new AuthError(401, 'PresignedUrlTooLong', `the presigned URL expires too far ahead: at most ${Math.round(presignMaxMs / 1000)} seconds from now (TASKGATE_PRESIGN_MAX_SECONDS)`, {
        serverTime: new Date(current).toISOString(),
      });
    }
    return { principal, signature, expiresAt, parts: { method: verb, host, contentMd5: '', contentType: '', date: expires, resource: canonicalResource(path, search) } };
  }

  async function claim(proof: SignatureProof): Promise<void> {
    if (proof.claimed) return;
    let first: boolean;
    try {
      first = await options.replay.claim(proof.fingerprint, Math.max(0, proof.expiresAt - now()) + 1000);
    } catch {
      throw new AuthError(503, 'ReplayGuardUnavailable', 'the replay guard cannot be reached right now; send the request again with a fresh signature');
    }
    if (!first) {
      throw new AuthError(
        401,
        'RequestReplayed',
        'this signature was already used: sign every write anew with its own date (ISO 8601 with milliseconds, so two identical writes differ), and send Content-MD5 with a body',
      );
    }
    // Marked only once granted: a claim that failed is never taken as made.
    proof.claimed = true;
  }

  function callerFromHead(head: RequestHead): MaybePromise<Caller> {
    const authorization = single(head.headers['x-virtshell-authorization']) ?? single(head.headers.authorization);
    if (authorization !== undefined) return verify(fromHeaders(head, authorization));
    const query = new URLSearchParams(head.search);
    if (query.has(presignParams.signature)) {
      if (!head.presignable || head.method.toUpperCase() !== 'GET') {
        throw new AuthError(401, 'PresignNotAllowed', 'presigned URLs open only GET /tasks/events and the WebSocket at /graphql: sign this request with X-VirtShell-Authorization');
      }
      return verify(fromPresignedUrl('GET', single(head.headers.host) ?? '', head.path, query, head.search));
    }
    throw new AuthError(401, 'MissingAuthorization', 'sign the request: send X-VirtShell-Authorization: <KeyId or UserId>:<Signature> with a Date or X-VirtShell-Date');
  }

  function checkBody(caller: Caller, body: Buffer): MaybePromise<void> {
    const proof = caller.proof;
    if (!proof) throw new AuthError(401, 'MissingAuthorization', 'sign the request: send X-VirtShell-Authorization: <KeyId or UserId>:<Signature> with a Date or X-VirtShell-Date');
    if (proof.contentMd5 !== '') {
      // The signature covers the Content-MD5 header; the header must cover these bytes.
      if (proof.contentMd5 !== contentMd5(body)) throw new AuthError(400, 'BadDigest', 'Content-MD5 does not match the body: compute it over the exact bytes sent');
      return;
    }
    if (body.length === 0) return;
    if (options.requireBodyMd5) throw new AuthError(401, 'MissingContentMD5', 'a request with a body must carry Content-MD5 (the Base64 MD5 of the body) and sign it');
    // Nothing signs this body: the signature may carry it once, whether the request reads or writes.
    return claim(proof);
  }

  return {
    // Not async: a known key's signature and a signed body are checked without a promise. A
    // refusal still comes as a rejection, as from every authenticator.
    authenticate(head) {
      try {
        return callerFromHead(head);
      } catch (error) {
        return Promise.reject(error);
      }
    },

    acceptBody(caller, body) {
      try {
        return checkBody(caller, body);
      } catch (error) {
        return Promise.reject(error);
      }
    },

    async authenticateConnection(params, host, url) {
      const p = (params && typeof params === 'object' ? params : {}) as Record<string, unknown>;
      const authorization = typeof p.authorization === 'string' ? p.authorization : undefined;
      if (authorization !== undefined) {
        const date = typeof p.date === 'string' ? p.date : undefined;
        const head: RequestHead = { method: webSocketVerb, path: '/graphql', search: '', headers: { host, date, 'content-md5': '', 'content-type': '' } };
        return verify(fromHeaders(head, authorization));
      }
      const q = url?.indexOf('?') ?? -1;
      const search = url && q !== -1 ? url.slice(q) : '';
      const query = new URLSearchParams(search);
      if (url && query.has(presignParams.signature)) return verify(fromPresignedUrl(webSocketVerb, host ?? '', url.slice(0, q), query, search));
      throw new AuthError(401, 'MissingAuthorization', 'sign the connection: connectionParams {authorization: "<KeyId or UserId>:<Signature>", date} over GRAPHQL-WS, or a presigned URL');
    },

    async claimWrite(caller) {
      const proof = caller.proof;
      if (!proof) throw new AuthError(401, 'MissingAuthorization', 'sign the request: send X-VirtShell-Authorization: <KeyId or UserId>:<Signature> with a Date or X-VirtShell-Date');
      // A read key's write is refused by the role check before anything is written: recording it would only let a read key fill the guard.
      if (caller.role !== 'write') return;
      await claim(proof);
    },

    isStillValid(caller) {
      return caller.proof !== undefined && options.keys.isActive(caller.proof.keyId);
    },
    onRevoked: (listener) => options.keys.onRevoked(listener),
    async start(publicUrl) {
      const loadError = await options.keys.start();
      await options.onStart?.(loadError, publicUrl);
    },
    async stop() {
      options.keys.stop();
      await options.replay.close();
    },
  };
}

/** A header as one string (node already folds repeated headers into one, or keeps the first). */
function single(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value.join(', ') : value;
}
