'use strict';
const { mkdirSync, readFileSync, writeFileSync } = require('node:fs');
const { join } = require('node:path');
const { root, startScript } = require('./processes');

/**
 * The peers of scenario 1 (bench/peers/): other stacks a Node user could pick, each on its own
 * copy of the `tasks` table in the bench database, answering the same `task(id)` bodies.
 * MariaDB only (the issue compares them there).
 */
const peers = {
  mercurius: { label: 'Fastify 5 + Mercurius 16, graphql-jit (no auth)', table: 'peer_mercurius_tasks', script: () => join(root, 'bench', 'peers', 'mercurius.js') },
  naive: { label: 'naive: Apollo 5 + express + type-graphql + TypeORM (no auth)', table: 'peer_naive_tasks', script: compiledNaive },
};

/**
 * The naive stack is TypeScript with decorators, as its users write it: compiled file by file by
 * the TypeScript compiler (which, unlike esbuild, emits decorator metadata) into dist/bench-peers/.
 */
function compiledNaive() {
  const ts = require('typescript');
  const source = join(root, 'bench', 'peers', 'naive-apollo.ts');
  const out = join(root, 'dist', 'bench-peers', 'naive-apollo.js');
  const { outputText } = ts.transpileModule(readFileSync(source, 'utf8'), {
    fileName: source,
    compilerOptions: { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.CommonJS, experimentalDecorators: true, emitDecoratorMetadata: true, esModuleInterop: true },
  });
  mkdirSync(join(root, 'dist', 'bench-peers'), { recursive: true });
  writeFileSync(out, outputText);
  return out;
}

/**
 * Copies the seeded tasks into the peer's table and starts it (production mode).
 * BENCH_PEER_NODE_ARGS profiles the peers as BENCH_GATEWAY_NODE_ARGS does the gateways (e.g. "--cpu-prof --cpu-prof-dir=/tmp/p").
 */
async function startPeer(name, db) {
  const peer = peers[name];
  await db.copyTasks(peer.table);
  const nodeArgs = process.env.BENCH_PEER_NODE_ARGS?.split(' ').filter(Boolean) ?? [];
  const server = await startScript(peer.script(), { ...db.floorEnv, PEER_TABLE: peer.table, NODE_ENV: 'production' }, nodeArgs);
  return { ...server, label: peer.label };
}

module.exports = { peers, startPeer };
