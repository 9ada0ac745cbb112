#!/usr/bin/env node
// Copies the playground's page, script and its libraries (GraphiQL, React, graphql-ws client,
// MD5) from src/ and node_modules into dist/playground, so the playground works offline.
const { copyFileSync, mkdirSync } = require('node:fs');
const { join } = require('node:path');

const root = join(__dirname, '..');
const out = join(root, 'dist', 'playground');
mkdirSync(out, { recursive: true });
// The file list lives in src/playground/assets.ts; read it from the compiled copy.
const { playgroundFiles } = require(join(root, 'dist', 'src', 'playground', 'assets.js'));
for (const [name, { from }] of Object.entries(playgroundFiles)) copyFileSync(join(root, from), join(out, name));
