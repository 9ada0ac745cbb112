#!/usr/bin/env node
// Copies each browser page's files (the playground, the task board) and the libraries they use
// (GraphiQL, React, graphql-ws client, MD5, the shared signing script) from src/ and node_modules
// into dist/<page>, so the pages work offline.
const { copyFileSync, mkdirSync } = require('node:fs');
const { join } = require('node:path');

const root = join(__dirname, '..');
// The file lists live in src/web/assets.ts; read them from the compiled copy.
const { webPages } = require(join(root, 'dist', 'src', 'web', 'assets.js'));
for (const [page, files] of Object.entries(webPages)) {
  const out = join(root, 'dist', page);
  mkdirSync(out, { recursive: true });
  for (const [name, { from }] of Object.entries(files)) copyFileSync(join(root, from), join(out, name));
}
