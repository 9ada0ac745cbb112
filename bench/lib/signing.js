'use strict';
/**
 * The bench's request signer (X-VirtShell-Authorization, HMAC-SHA1), written from the spec like
 * test/helpers/signing.ts and independent of src/auth:
 *   Signature    = Base64(HMAC-SHA1(secret, METHOD \n Host \n Content-MD5 \n Content-Type \n Date \n path))
 * Loaded by the bench and by every load-generator process, which signs each request as it goes
 * out (autocannon's setupRequest): about 15 µs per request, on the load generator's CPU.
 * The key comes from BENCH_KEY (user:secret); the gateways get it through TASKGATE_KEYS.
 */
const { createHash, createHmac } = require('node:crypto');

const [user, secret] = (process.env.BENCH_KEY ?? 'bench:bench-signing-secret-0123456789').split(':');

// The Date header has one-second resolution: format it once per second, not per request.
let dateSecond = 0;
let dateText = '';
function httpDate() {
  const second = Math.floor(Date.now() / 1000);
  if (second !== dateSecond) {
    dateSecond = second;
    dateText = new Date(second * 1000).toUTCString();
  }
  return dateText;
}

/** Headers that sign one request: authorization, date, and Content-MD5/Type for a body. */
function headers(method, host, path, body, contentType = body ? 'application/json' : '') {
  const md5 = body ? createHash('md5').update(body).digest('base64') : '';
  const date = httpDate();
  const toSign = `${method.toUpperCase()}\n${host}\n${md5}\n${contentType}\n${date}\n${path.split('?')[0]}`;
  const out = { 'x-virtshell-authorization': `${user}:${createHmac('sha1', secret).update(toSign, 'utf8').digest('base64')}`, date };
  if (md5) out['content-md5'] = md5;
  if (contentType) out['content-type'] = contentType;
  return out;
}

/** graphql-ws connectionParams {authorization, date}: GET, the host, empty MD5 and type, the date, /graphql. */
function connectionParams(host) {
  const date = new Date().toUTCString();
  const toSign = `GET\n${host}\n\n\n${date}\n/graphql`;
  return { authorization: `${user}:${createHmac('sha1', secret).update(toSign, 'utf8').digest('base64')}`, date };
}

/** What a gateway started by the bench needs to accept these signatures. */
const gatewayEnv = { TASKGATE_KEYS: `${user}:${secret}:write` };

module.exports = { headers, connectionParams, gatewayEnv, user };
