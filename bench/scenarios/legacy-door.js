'use strict';
const { alternate } = require('../lib/ab');
const { httpLoad } = require('../lib/processes');
const { signer } = require('../lib/auth');

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

module.exports = { paths, probe, compareWithGraphql };
