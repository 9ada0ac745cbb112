'use strict';
const { spawn, execFileSync } = require('node:child_process');
const { readFileSync } = require('node:fs');
const { join } = require('node:path');
const net = require('node:net');

const root = join(__dirname, '..', '..');
const gatewayMain = join(root, 'dist', 'src', 'main.js');

/** A free TCP port on 127.0.0.1. */
function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Resolves once POST /graphql answers at all (any HTTP status); rejects when the process dies first. */
async function waitForHttp(child, port, { timeoutMs = 30_000, path = '/graphql' } = {}) {
  const started = performance.now();
  let exited = null;
  child.once('exit', (code, signal) => (exited = { code, signal }));
  for (;;) {
    if (exited) throw new Error(`process exited before answering (code ${exited.code}, signal ${exited.signal}): ${child.stderrText?.() ?? ''}`);
    if (performance.now() - started > timeoutMs) throw new Error(`no answer on port ${port} after ${timeoutMs} ms`);
    try {
      const body = '{"query":"{ __typename }"}';
      const response = await fetch(`http://127.0.0.1:${port}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...require('./auth').signer.headers('POST', `127.0.0.1:${port}`, path, body) },
        body,
      });
      await response.arrayBuffer();
      return performance.now() - started;
    } catch {
      await sleep(5);
    }
  }
}

function track(child) {
  let stderr = '';
  child.stderr?.on('data', (chunk) => {
    stderr = (stderr + chunk).slice(-4000);
  });
  child.stderrText = () => stderr;
  return child;
}

/**
 * Starts the gateway from dist/ as its own process (production mode, warn logs) and waits
 * until it answers. `nodeArgs` lets the profiler in (e.g. --cpu-prof); so does
 * BENCH_GATEWAY_NODE_ARGS for every gateway a scenario starts (e.g. "--cpu-prof --cpu-prof-dir=/tmp/p").
 */
async function startGateway({ databaseUrl, env = {}, nodeArgs = [] }) {
  const port = await freePort();
  const spawnedAt = performance.now();
  const child = track(
    spawn(process.execPath, [...(process.env.BENCH_GATEWAY_NODE_ARGS?.split(' ').filter(Boolean) ?? []), ...nodeArgs, gatewayMain], {
      cwd: root,
      env: {
        ...process.env,
        NODE_ENV: 'production',
        LOG_LEVEL: 'warn',
        HOST: '127.0.0.1',
        PORT: String(port),
        DATABASE_URL: databaseUrl,
        DATABASE_POOL_SIZE: '10',
        TASKGATE_MIGRATE: 'on',
        // The fan-out scenarios play up to 10,000 subscribers with the one bench key: lift that key's socket ceilings.
        TASKGATE_FAIR_WS_CONNECTIONS: '100000',
        TASKGATE_FAIR_WS_SUBSCRIPTIONS: '100000',
        ...require('./auth').gatewayEnv,
        ...env,
      },
      stdio: ['ignore', 'ignore', 'pipe'],
    }),
  );
  await waitForHttp(child, port);
  return { child, port, url: `http://127.0.0.1:${port}`, readyMs: performance.now() - spawnedAt, stop: () => stopProcess(child) };
}

/** Starts one of the bench's own floor servers (bench/floor/*.js) and waits until it answers. */
function startFloor(script, env) {
  return startScript(join(__dirname, '..', 'floor', script), env);
}

/** Starts a server script of the bench's (a floor, a peer) on a free port and waits until it answers; `nodeArgs` e.g. --cpu-prof. */
async function startScript(path, env, nodeArgs = []) {
  const port = await freePort();
  const spawnedAt = performance.now();
  const child = track(
    spawn(process.execPath, [...nodeArgs, path], {
      cwd: root,
      env: { ...process.env, PORT: String(port), ...env },
      stdio: ['ignore', 'ignore', 'pipe'],
    }),
  );
  await waitForHttp(child, port);
  return { child, port, url: `http://127.0.0.1:${port}`, readyMs: performance.now() - spawnedAt, stop: () => stopProcess(child) };
}

/** SIGTERM, then SIGKILL if it lingers; resolves when it has exited. */
function stopProcess(child) {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

/** Resident and peak resident memory of a process, in bytes (Linux /proc). */
function memoryOf(pid) {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (name) => Number(new RegExp(`^${name}:\\s+(\\d+)`, 'm').exec(status)?.[1] ?? NaN) * 1024;
  return { rss: kb('VmRSS'), peakRss: kb('VmHWM') };
}

/** CPU time (user + system) a process has used so far, in microseconds (Linux /proc, 10 ms ticks). */
function cpuTimeOf(pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10_000;
}

/**
 * Runs autocannon in a separate process (bench/load/http-load.js), signing each request, and
 * returns its summary as it is (non-2xx answers included). `env` adds to the process environment
 * (BENCH_KEY signs as another key).
 */
function runHttpLoad(options, env = {}) {
  return new Promise((resolve, reject) => {
    // Options go in on stdin: thousands of request bodies do not fit in argv.
    const child = spawn(process.execPath, [join(__dirname, '..', 'load', 'http-load.js')], { env: { ...process.env, ...env }, stdio: ['pipe', 'pipe', 'pipe'] });
    // Signed unless told otherwise (`signer: null` for the floor servers, which do not verify).
    const signer = options.signer === undefined ? require('./auth').signer.spec : options.signer;
    child.stdin.end(JSON.stringify({ ...options, signer }));
    let out = '';
    let err = '';
    child.stdout.on('data', (c) => (out += c));
    child.stderr.on('data', (c) => (err += c));
    child.on('error', reject);
    child.on('exit', (code) => {
      if (code !== 0) return reject(new Error(`load generator failed (${code}): ${err}`));
      resolve(JSON.parse(out.trim().split('\n').pop()));
    });
  });
}

/** runHttpLoad for a measurement: any error, non-2xx answer or timeout fails it. */
async function httpLoad(options) {
  const summary = await runHttpLoad(options);
  if (summary.errors || summary.non2xx || summary.timeouts) {
    throw new Error(`load against ${options.url} had failures: ${JSON.stringify(summary)}`);
  }
  return summary;
}

function versionOf(command, args) {
  try {
    return execFileSync(command, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return 'unknown';
  }
}

module.exports = { cpuTimeOf, freePort, sleep, startGateway, startFloor, startScript, stopProcess, memoryOf, httpLoad, runHttpLoad, waitForHttp, versionOf, root, gatewayMain };
