import { AuthError } from '../../../src/auth/authenticate';
import { KeyRing } from '../../../src/auth/keys/key-ring';
import { memoryReplayGuard, type ReplayGuard } from '../../../src/auth/replay-guard';
import { signedAuthenticator } from '../../../src/auth/signed-authenticator';
import { presignedUrl, signedHeaders } from '../../helpers/signing';

/** The authenticator's decisions without a server: what it claims, when, and what it refuses. */
const keys = [
  { id: 'k_writer', user: 'writer', role: 'write' as const, secret: 'writer-secret' },
  { id: 'k_reader', user: 'reader', role: 'read' as const, secret: 'reader-secret' },
];

function setup(options: { requireBodyMd5?: boolean } = {}) {
  /** Signatures the guard recorded (granted claims). */
  const claims: string[] = [];
  const memory = memoryReplayGuard();
  const replay: ReplayGuard = {
    claim: async (fingerprint, ttl) => {
      const first = await memory.claim(fingerprint, ttl);
      if (first) claims.push(fingerprint);
      return first;
    },
    close: async () => undefined,
  };
  const auth = signedAuthenticator({ keys: new KeyRing(undefined, keys, 60_000), replay, clockSkewMs: 900_000, requireBodyMd5: options.requireBodyMd5 ?? true, presignMaxMs: 3_600_000 });
  return { auth, claims };
}

const host = 'gateway.example';
const head = (headers: Record<string, string>, path = '/tasks/', method = 'POST') => ({ method, path, search: '', headers: { host, ...headers } });

describe('the signed authenticator', () => {
  it('refuses a write whose caller carries no proof, instead of letting it through unclaimed', async () => {
    const { auth } = setup();
    await expect(auth.claimWrite({ id: 'writer', role: 'write' })).rejects.toMatchObject({ status: 401, reason: 'MissingAuthorization' });
  });

  it('claims a write once per request, refuses the second request with the same signature, and skips read keys', async () => {
    const { auth, claims } = setup();
    const body = Buffer.from('{"description":"x"}');
    const headers = signedHeaders({ user: 'k_writer', secret: 'writer-secret' }, { method: 'POST', host, path: '/tasks/', body });
    const caller = await auth.authenticate(head({ ...headers, 'content-length': String(body.length) }));
    await auth.acceptBody(caller, body);
    await auth.claimWrite(caller);
    await auth.claimWrite(caller);
    expect(claims).toHaveLength(1);
    const again = await auth.authenticate(head({ ...headers, 'content-length': String(body.length) }));
    await expect(auth.claimWrite(again)).rejects.toMatchObject({ reason: 'RequestReplayed' });

    const reader = await auth.authenticate(head(signedHeaders({ user: 'reader', secret: 'reader-secret' }, { method: 'POST', host, path: '/tasks/', body })));
    await auth.claimWrite(reader);
    expect(claims).toHaveLength(1);
  });

  it('with Content-MD5 off, claims any request that carries a body on first use, reads included', async () => {
    const { auth, claims } = setup({ requireBodyMd5: false });
    const body = Buffer.from('{"query":"{ lastEventId }"}');
    const headers = signedHeaders({ user: 'reader', secret: 'reader-secret' }, { method: 'POST', host, path: '/graphql', body, md5: false });
    await auth.acceptBody(await auth.authenticate(head(headers, '/graphql')), body);
    expect(claims).toHaveLength(1);
    await expect(auth.acceptBody(await auth.authenticate(head(headers, '/graphql')), Buffer.from('{"query":"mutation { x }"}'))).rejects.toMatchObject({ reason: 'RequestReplayed' });
    // A body the signed Content-MD5 covers binds the signature to those bytes: nothing to claim for a read.
    const signedBody = signedHeaders({ user: 'reader', secret: 'reader-secret' }, { method: 'POST', host, path: '/graphql', body });
    await auth.acceptBody(await auth.authenticate(head(signedBody, '/graphql')), body);
    expect(claims).toHaveLength(1);
  });

  it('refuses a body announced without Content-MD5 from the headers alone', async () => {
    const { auth } = setup();
    const headers = signedHeaders({ user: 'writer', secret: 'writer-secret' }, { method: 'POST', host, path: '/tasks/', md5: false });
    await expect(auth.authenticate(head({ ...headers, 'content-length': '10' }))).rejects.toMatchObject({ reason: 'MissingContentMD5' });
  });

  it('accepts a presigned URL only where the door allows one, and within its bounds', async () => {
    const { auth } = setup();
    const credentials = { user: 'k_reader', secret: 'reader-secret' };
    // A known key's caller may come back without a promise: awaited here either way.
    const at = async (url: string, presignable = true) => {
      const parsed = new URL(url);
      return auth.authenticate({ method: 'GET', path: parsed.pathname, search: parsed.search, headers: { host }, presignable });
    };
    const good = presignedUrl(credentials, `http://${host}/tasks/events?status=failed`, new Date(Date.now() + 60_000));
    await expect(at(good)).resolves.toMatchObject({ id: 'reader', role: 'read' });
    await expect(at(good, false)).rejects.toMatchObject({ reason: 'PresignNotAllowed' });
    await expect(at(presignedUrl(credentials, `http://${host}/tasks/events`, new Date(Date.now() - 1000)))).rejects.toMatchObject({ reason: 'PresignedUrlExpired' });
    await expect(at(presignedUrl(credentials, `http://${host}/tasks/events`, new Date(Date.now() + 86_400_000)))).rejects.toMatchObject({ reason: 'PresignedUrlTooLong' });
    await expect(at(`http://${host}/tasks/events?X-VirtShell-Signature=x`)).rejects.toBeInstanceOf(AuthError);
  });
});
