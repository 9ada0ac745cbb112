'use strict';
const { alternate } = require('../lib/ab');
const { httpLoad } = require('../lib/processes');
const { signer } = require('../lib/auth');
const http = require('node:http');

/** The legacy REST door (GET /api/virtshell/v1/tasks/...), measured against the same read over /graphql. */
const prefix = '/api/virtshell/v1/tasks';
const paths = {
  one: (id) => `${prefix}/${id}`,
  pending: `${prefix}/status/pending`,
  all: `${prefix}/`,
};

/** Is the route in this build? An unknown path gets the router's JSON 404 "no route for ...". */
async function probe(gateway, path) {
  const response = await fetch(`${gateway.url}${path}`, { headers: { accept: 'application/json', ...signer.headers('GET', new URL(gateway.url).host, path, '') } });
  const text = await response.text();
  if (response.status === 404 && text.includes('no route for')) return { available: false, why: `GET ${path} has no route in this build (legacy REST layer not merged)` };
  if (response.status !== 200) return { available: false, why: `GET ${path} answered ${response.status}: ${text.slice(0, 200)}` };
  return { available: true };
}

/** Alternating rounds: REST GETs (A) vs GraphQL POSTs (B) on the same gateway; ratio A/B in req/s. */
async function compareWithGraphql(ctx, gateway, { path, paths: many, graphqlBodies }) {
  const restPaths = many ?? [path];
  const found = await probe(gateway, restPaths[0]);
  if (!found.available) return found;
  const rest = (duration) =>
    httpLoad({ url: `${gateway.url}${restPaths[0]}`, method: 'GET', headers: { accept: 'application/json' }, paths: restPaths, duration, connections: ctx.connections, signer: signer.spec });
  const graphql = (duration) => httpLoad({ url: `${gateway.url}/graphql`, bodies: graphqlBodies, duration, connections: ctx.connections, signer: signer.spec });
  await rest(ctx.warmup);
  await graphql(ctx.warmup);
  const result = await alternate({
    rounds: ctx.rounds,
    runA: async () => (await rest(ctx.duration)).requestsPerSecond,
    runB: async () => (await graphql(ctx.duration)).requestsPerSecond,
  });
  return { available: true, result };
}

/**
 * GET `path` (signed) and stream the response, counting tasks by their "uuid" keys without
 * holding the body: { status, bytes, tasks, firstByteMs, lastByteMs, cut }. `maxMs` cuts the
 * download after that long (`cut: true`; the figures then cover what arrived).
 */
function download(server, path, { maxMs = Infinity } = {}) {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    let timer;
    let firstByteMs = NaN;
    let bytes = 0;
    let tasks = 0;
    let carry = '';
    const headers = { accept: 'application/json', ...signer.headers('GET', `127.0.0.1:${server.port}`, path, '') };
    const request = http.get({ host: '127.0.0.1', port: server.port, path, headers }, (response) => {
      // latin1: one character per byte, so lengths are byte counts and no decoding is spent.
      response.setEncoding('latin1');
      response.on('data', (chunk) => {
        if (!bytes) firstByteMs = performance.now() - started;
        bytes += chunk.length;
        // A key straddling two chunks is found in the carried tail (shorter than the key, so never counted twice).
        const text = carry + chunk;
        for (let at = text.indexOf('"uuid"'); at !== -1; at = text.indexOf('"uuid"', at + 6)) tasks++;
        carry = text.slice(-5);
      });
      const done = (cut) => {
        clearTimeout(timer);
        resolve({ status: response.statusCode, bytes, tasks, firstByteMs, lastByteMs: performance.now() - started, cut });
      };
      response.on('end', () => done(false));
      response.on('error', reject);
      if (Number.isFinite(maxMs)) {
        timer = setTimeout(() => {
          response.removeAllListeners('data');
          request.destroy();
          done(true);
        }, maxMs);
      }
    });
    request.on('error', (error) => (timer ? undefined : reject(error)));
  });
}

module.exports = { paths, probe, compareWithGraphql, download };
