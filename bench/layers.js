#!/usr/bin/env node
'use strict';
/**
 * What each layer of a task(id) read costs in process, without HTTP or load: Apollo's
 * executeHTTPGraphQLRequest, graphql-js `execute` on a parsed document, the same operation
 * compiled by graphql-jit (what the direct path and the legacy routes run), and the task service alone. SQLite in a temporary file, warm, 20,000 calls each, auth off.
 * Usage: npm run build && node bench/layers.js
 */
const { mkdtempSync, rmSync } = require('node:fs');
const { tmpdir } = require('node:os');
const { join } = require('node:path');
const { HeaderMap } = require('@apollo/server');
const { parse, execute } = require('graphql');
const { loadConfig } = require('../dist/src/config');
const { createApp } = require('../dist/src/app');
const { runOperation } = require('../dist/src/graphql/run-operation');

const calls = 20_000;

async function timed(name, call) {
  for (let i = 0; i < 2000; i++) await call();
  const started = process.hrtime.bigint();
  for (let i = 0; i < calls; i++) await call();
  console.log(`${name.padEnd(42)} ${(Number(process.hrtime.bigint() - started) / calls / 1000).toFixed(1)} µs per call`);
}

async function main() {
  const dir = mkdtempSync(join(tmpdir(), 'taskgate-layers-'));
  const app = await createApp(loadConfig({ DATABASE_URL: `sqlite:${join(dir, 'tasks.db')}`, LOG_LEVEL: 'silent', PORT: '0', HOST: '127.0.0.1', TASKGATE_AUTH: 'off' }));
  try {
    await app.start();
    const caller = { id: 'bench', role: 'write' };
    const context = () => app.contextFor(caller);
    const created = await app.tasks.createTask({ description: 'layers', type: 'create_instance' }, 'bench');
    const id = created.task.uuid;
    const query = 'query Task($id: ID!) { task(id: $id) { id description status type objectUuid created { at by } lastUpdate log version } }';
    const body = { operationName: 'Task', query, variables: { id } };
    const headers = new HeaderMap([['content-type', 'application/json']]);
    const document = parse(query);
    await timed('Apollo executeHTTPGraphQLRequest', () =>
      app.apollo.executeHTTPGraphQLRequest({ httpGraphQLRequest: { method: 'POST', headers, search: '', body }, context: async () => context() }),
    );
    await timed('graphql-js execute (parsed, validated)', () => execute({ schema: app.schema, document, variableValues: { id }, contextValue: context() }));
    // The pipeline's own prepared operation, compiled on its first run.
    const prepared = app.pipeline.documents.prepare(query).operation('Task');
    await timed('graphql-jit compiled (runOperation)', () => runOperation(app.schema, prepared, { id }, context(), 1));
    await timed('TaskService.getTask', () => app.tasks.getTask(id));
  } finally {
    await app.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
