'use strict';
/**
 * HTTP load generator, run as its own process so it never shares an event loop with the
 * server it measures. Reads its options as JSON on stdin, runs autocannon, and prints a
 * one-line JSON summary on stdout. `bodies` are sent round-robin (e.g. one per task id).
 */
const autocannon = require('autocannon');

const options = JSON.parse(require('node:fs').readFileSync(0, 'utf8'));
const bodies = options.bodies ?? [undefined];
const paths = options.paths ?? [undefined];
const signer = options.signer ? require(options.signer) : null;
const { pathname: defaultPath, host } = new URL(options.url);
// Writes must not repeat a signature (the gateway refuses replays): `__N__` in a body becomes a
// per-request token, so every write carries its own body, Content-MD5 and signature.
const token = `${process.pid}.${Date.now().toString(36)}`;
let next = 0;

const instance = autocannon(
  {
    url: options.url,
    connections: options.connections ?? 50,
    duration: options.duration ?? 5,
    amount: options.amount,
    overallRate: options.overallRate,
    timeout: options.timeout ?? 10,
    requests: [
      {
        method: options.method ?? 'POST',
        headers: options.headers ?? { 'content-type': 'application/json' },
        setupRequest(request) {
          const i = next++;
          let body = bodies[i % bodies.length];
          if (body !== undefined && body.includes('__N__')) body = body.replace('__N__', `${token}.${i}`);
          const path = paths[i % paths.length];
          const out = { ...request };
          if (body !== undefined) out.body = body;
          if (path !== undefined) out.path = path;
          if (signer) out.headers = { ...request.headers, ...signer.headers(out.method, host, out.path ?? defaultPath, out.body ?? '') };
          return out;
        },
      },
    ],
  },
  (error, result) => {
    if (error) {
      process.stderr.write(`${error.stack ?? error}\n`);
      process.exit(1);
    }
    const summary = {
      requestsPerSecond: result.requests.average,
      requests: result.requests.total,
      latencyP50: result.latency.p50,
      latencyP99: result.latency.p99,
      errors: result.errors,
      timeouts: result.timeouts,
      non2xx: result.non2xx,
      bytesPerSecond: result.throughput.average,
    };
    process.stdout.write(`${JSON.stringify(summary)}\n`);
  },
);
process.on('SIGTERM', () => instance.stop());
