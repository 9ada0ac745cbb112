import type { IncomingHttpHeaders } from 'node:http';
import type { Caller } from '../context';
import { AuthError, type Authenticator, type RequestToAuthenticate } from './authenticate';
import type { KeyRing } from './keys/key-ring';
import type { ReplayGuard } from './replay-guard';
import { contentMd5, parseAuthorization, signatureDigest, signatureMatches, stringToSign } from './signature';

export interface SignedAuthenticatorOptions {
  keys: KeyRing;
  replay: ReplayGuard;
  /** How far a request's Date may be from the server clock, either way. */
  clockSkewMs: number;
  /** Refuse a body that no Content-MD5 covers (the signature does not cover the body itself). */
  requireBodyMd5: boolean;
  /** Runs once at start, after the keys are loaded (first-start key creation); `loadError` when the table could not be read. */
  onStart?: (loadError: unknown) => Promise<void>;
  now?: () => number;
}

/** What the authenticator remembers about a caller it let in: its key, and the signature to claim. */
interface Proof {
  keyId: string;
  fingerprint: string;
  /** Until when the Date is inside the window: the replay record can be forgotten after that. */
  expiresAt: number;
  claimed: boolean;
}

const readMethods = new Set(['GET', 'HEAD', 'OPTIONS']);
// A secret no key has: unknown users are checked against it so they cost what a bad signature costs.
const decoySecret = 'taskgate-decoy-secret-for-unknown-users';
const emptyBody = Buffer.alloc(0);

/** Every door's signature check (X-VirtShell-Authorization, HMAC-SHA1), see LEGACY-CALLERS.md. */
export function signedAuthenticator(options: SignedAuthenticatorOptions): Authenticator {
  const now = options.now ?? Date.now;
  const proofs = new WeakMap<Caller, Proof>();

  async function verify(request: RequestToAuthenticate): Promise<Caller> {
    const { headers } = request;
    const authorization = single(headers['x-virtshell-authorization']) ?? single(headers.authorization);
    if (authorization === undefined) throw new AuthError(401, 'MissingAuthorization', 'send X-VirtShell-Authorization: <UserId>:<Signature>');
    const claim = parseAuthorization(authorization);
    if (!claim) throw new AuthError(401, 'MalformedAuthorization', 'the authorization header is not <UserId>:<Signature>');

    // Browsers cannot set Date: X-VirtShell-Date stands in for it (and is what gets signed).
    const date = single(headers['x-virtshell-date']) ?? single(headers.date);
    if (date === undefined || date === '') throw new AuthError(401, 'MissingDate', 'a Date (or X-VirtShell-Date) header is required');
    const dateMs = date.length <= 64 ? Date.parse(date) : NaN;
    if (Number.isNaN(dateMs)) throw new AuthError(401, 'InvalidDate', 'the Date header is not a date (use the HTTP date format)');
    const current = now();
    if (Math.abs(current - dateMs) > options.clockSkewMs) {
      throw new AuthError(401, 'RequestTimeTooSkewed', `the request Date is more than ${Math.round(options.clockSkewMs / 1000)} seconds from the server clock`);
    }

    const md5 = single(headers['content-md5']) ?? '';
    if (md5 === '' && request.body.length > 0 && options.requireBodyMd5) {
      throw new AuthError(401, 'MissingContentMD5', 'a request with a body must carry Content-MD5 (the signature covers the body through it)');
    }

    const toSign = stringToSign({
      method: request.method,
      host: single(headers.host) ?? '',
      contentMd5: md5,
      contentType: single(headers['content-type']) ?? '',
      date,
      path: request.path,
    });
    const keys = await options.keys.lookup(claim.user);
    let matched = undefined as (typeof keys)[number] | undefined;
    if (keys.length === 0) signatureMatches(signatureDigest(decoySecret, toSign), claim.signature);
    for (const key of keys) {
      if (signatureMatches(signatureDigest(key.secret as string, toSign), claim.signature)) matched ??= key;
    }
    // One answer for an unknown user and a wrong signature: nothing tells them apart.
    if (!matched) throw new AuthError(401, 'SignatureDoesNotMatch', 'the signature does not match (unknown user or wrong signature)');

    // Checked after the signature, which covers the Content-MD5 header itself.
    if (md5 !== '' && md5 !== contentMd5(request.body)) throw new AuthError(400, 'BadDigest', 'Content-MD5 does not match the body');

    const caller: Caller = { id: matched.user, role: matched.role };
    proofs.set(caller, { keyId: matched.id, fingerprint: `${matched.id}:${claim.signature}`, expiresAt: dateMs + options.clockSkewMs, claimed: false });
    return caller;
  }

  async function claimWrite(caller: Caller): Promise<void> {
    const proof = proofs.get(caller);
    if (!proof || proof.claimed) return;
    proof.claimed = true;
    let first: boolean;
    try {
      first = await options.replay.claim(proof.fingerprint, proof.expiresAt - now() + 1000);
    } catch {
      throw new AuthError(503, 'ReplayGuardUnavailable', 'the replay guard cannot be reached; try again');
    }
    if (!first) throw new AuthError(401, 'RequestReplayed', 'this signed write was already served; sign each write anew');
  }

  return {
    async authenticate(request) {
      const caller = await verify(request);
      const isRestWrite = !readMethods.has(request.method.toUpperCase()) && request.path !== '/graphql' && request.path !== '/graphql/';
      if (isRestWrite) await claimWrite(caller);
      return caller;
    },
    authenticateConnection(params, host) {
      const p = (params && typeof params === 'object' ? params : {}) as Record<string, unknown>;
      const authorization = typeof p.authorization === 'string' ? p.authorization : undefined;
      const date = typeof p.date === 'string' ? p.date : undefined;
      const headers: IncomingHttpHeaders = { host, authorization, date };
      return verify({ method: 'GET', path: '/graphql', headers, body: emptyBody });
    },
    claimWrite,
    isStillValid(caller) {
      const proof = proofs.get(caller);
      return proof !== undefined && options.keys.isActive(proof.keyId);
    },
    onRevoked: (listener) => options.keys.onRevoked(listener),
    async start() {
      const loadError = await options.keys.start();
      await options.onStart?.(loadError);
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
