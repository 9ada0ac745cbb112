'use strict';
/**
 * Request signing for the bench, in one place. Today the gateway has no authentication, so
 * nothing is signed. When signed requests (X-VirtShell-Authorization, HMAC-SHA1) land, set
 * BENCH_SIGNER to a module exporting `headers(method, path, body) => object` (it is loaded in
 * the load-generator processes too, so every request is signed there, per request) and pass
 * the gateway's credentials through BENCH_GATEWAY_ENV (JSON) — the benchmarks run with auth ON.
 */
const modulePath = process.env.BENCH_SIGNER || null;
const loaded = modulePath ? require(modulePath) : null;

const signer = {
  /** What the load generator needs to load the same signer: null when unsigned. */
  spec: modulePath,
  headers: (method, path, body) => (loaded ? loaded.headers(method, path, body) : {}),
};

/** Extra environment for every gateway the bench starts (e.g. auth credentials). */
const gatewayEnv = process.env.BENCH_GATEWAY_ENV ? JSON.parse(process.env.BENCH_GATEWAY_ENV) : {};

module.exports = { signer, gatewayEnv };
