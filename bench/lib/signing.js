'use strict';
/**
 * The bench's request signer (X-VirtShell-Authorization, HMAC-SHA1, signing version 2), written
 * from the spec like test/helpers/signing.ts and independent of src/auth:
 *   Signature    = Base64(HMAC-SHA1(secret, METHOD \n Host \n Content-MD5 \n Content-Type \n Date \n resource))
 *   resource     = path as sent, plus `?` and the query parameters sorted (RFC 3986 encoded) when there are any
 * The date carries milliseconds (X-VirtShell-Date), so identical writes in one second differ.
 * Loaded by the bench and by every load-generator process, which signs each request as it goes
 * out (autocannon's setupRequest): about 15 µs per request, on the load generator's CPU.
 * The key comes from BENCH_KEY (user:secret); the gateways get it through TASKGATE_KEYS.
 */
const { createHash, createHmac } = require('node:crypto');

const [user, secret] = (process.env.BENCH_KEY ?? 'bench:bench-signing-secret-0123456789').split(':');

const rfc3986 = (value) => encodeURIComponent(value).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

/** The canonical resource: the path as sent, then the sorted, RFC 3986 encoded query (none: the path alone). */
function resource(pathAndQuery) {
  const q = pathAndQuery.indexOf('?');
  if (q === -1) return pathAndQuery;
  const pairs = [...new URLSearchParams(pathAndQuery.slice(q))].map(([name, value]) => `${rfc3986(name)}=${rfc3986(value)}`);
  if (pairs.length === 0) return pathAndQuery.slice(0, q);
  pairs.sort((a, b) => {
    const [an, av] = a.split('=');
    const [bn, bv] = b.split('=');
    return an < bn ? -1 : an > bn ? 1 : av < bv ? -1 : av > bv ? 1 : 0;
  });
  return `${pathAndQuery.slice(0, q)}?${pairs.join('&')}`;
}

/** Headers that sign one request: authorization, date, and Content-MD5/Type for a body. */
function headers(method, host, path, body, contentType = body ? 'application/json' : '') {
  const md5 = body ? createHash('md5').update(body).digest('base64') : '';
  const date = new Date().toISOString();
  const toSign = `${method.toUpperCase()}\n${host}\n${md5}\n${contentType}\n${date}\n${resource(path)}`;
  const out = { 'x-virtshell-authorization': `${user}:${createHmac('sha1', secret).update(toSign, 'utf8').digest('base64')}`, 'x-virtshell-date': date };
  if (md5) out['content-md5'] = md5;
  if (contentType) out['content-type'] = contentType;
  return out;
}

/** graphql-ws connectionParams {authorization, date}: GRAPHQL-WS, the host, empty MD5 and type, the date, /graphql. */
function connectionParams(host) {
  const date = new Date().toISOString();
  const toSign = `GRAPHQL-WS\n${host}\n\n\n${date}\n/graphql`;
  return { authorization: `${user}:${createHmac('sha1', secret).update(toSign, 'utf8').digest('base64')}`, date };
}

/** What a gateway started by the bench needs to accept these signatures. */
const gatewayEnv = { TASKGATE_KEYS: `${user}:${secret}:write` };

module.exports = { headers, connectionParams, gatewayEnv, user, resource };
