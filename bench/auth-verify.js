// Verification cost of one signed request: authenticate() and acceptBody() in process (no HTTP), static key.
// Run after a build: node bench/auth-verify.js
require('reflect-metadata');
const { signedAuthenticator } = require('../dist/src/auth/signed-authenticator');
const { KeyRing } = require('../dist/src/auth/keys/key-ring');
const { memoryReplayGuard } = require('../dist/src/auth/replay-guard');
const { sign } = require('../dist/src/client');
(async () => {
  const ring = new KeyRing(undefined, [{ id: 's1', user: 'u', role: 'write', secret: 'sekret' }], 5000);
  const auth = signedAuthenticator({ keys: ring, replay: memoryReplayGuard(), clockSkewMs: 900000, requireBodyMd5: true });
  const body = Buffer.from(JSON.stringify({ query: '{ tasks { totalCount } }' }));
  const h = await sign({ key: 'u', secret: 'sekret' }, { method: 'POST', url: 'http://localhost:4000/graphql', body: body.toString(), contentType: 'application/json' });
  const headers = { host: 'localhost:4000', 'x-virtshell-authorization': h['X-VirtShell-Authorization'], 'x-virtshell-date': h['X-VirtShell-Date'], 'content-md5': h['Content-MD5'], 'content-type': h['Content-Type'], 'content-length': String(body.length) };
  const once = async () => auth.acceptBody(await auth.authenticate({ method: 'POST', path: '/graphql', search: '', headers }), body);
  const n = 200000;
  for (let i = 0; i < 10000; i++) await once();
  const t = process.hrtime.bigint();
  for (let i = 0; i < n; i++) await once();
  const ns = Number(process.hrtime.bigint() - t) / n;
  console.log(`authenticate(): ${(ns / 1000).toFixed(2)} µs per signed request (${n} runs)`);
})();
