'use strict';
/**
 * Request signing for the bench, in one place. Auth is ON, as in production: every gateway the
 * bench starts gets the bench key (TASKGATE_KEYS), and every request to a gateway is signed,
 * per request, in the process that sends it (bench/lib/signing.js). BENCH_SIGNER can name another
 * module with the same exports. The floor servers do not verify signatures (a floor is the
 * least work that answers the same request), so requests to them go unsigned; the report says so.
 */
const modulePath = process.env.BENCH_SIGNER || require.resolve('./signing');
const loaded = require(modulePath);

const signer = {
  /** What the load generator needs to load the same signer. */
  spec: modulePath,
  /** `host` is `127.0.0.1:<port>`, as node's clients send it. */
  headers: (method, host, path, body) => loaded.headers(method, host, path, body),
  connectionParams: (host) => loaded.connectionParams(host),
};

/** Extra environment for every gateway the bench starts (the bench key; BENCH_GATEWAY_ENV adds more). */
const gatewayEnv = { ...loaded.gatewayEnv, ...(process.env.BENCH_GATEWAY_ENV ? JSON.parse(process.env.BENCH_GATEWAY_ENV) : {}) };

module.exports = { signer, gatewayEnv };
