#!/usr/bin/env node
// Copies each browser page's files (the playground, the task board) and the libraries they use
// (GraphiQL, React, graphql-ws client, MD5, the shared signing script) from src/ and node_modules
// into dist/<page>, so the pages work offline.
const { copyFileSync, mkdirSync, readFileSync, writeFileSync } = require('node:fs');
const { join } = require('node:path');

const root = join(__dirname, '..');
// The file lists live in src/web/assets.ts; read them from the compiled copy.
const { webPages } = require(join(root, 'dist', 'src', 'web', 'assets.js'));
for (const [page, files] of Object.entries(webPages)) {
  const out = join(root, 'dist', page);
  mkdirSync(out, { recursive: true });
  for (const [name, { from, global }] of Object.entries(files)) {
    if (!global) {
      copyFileSync(join(root, from), join(out, name));
      continue;
    }
    // A compiled CommonJS module that imports nothing (the client kit's signer), made a plain
    // browser script: its exports become window[global].
    const code = readFileSync(join(root, from), 'utf8').replace(/\n\/\/# sourceMappingURL=.*$/m, '');
    writeFileSync(join(out, name), `(function (exports) {\n${code}\n})((window.${global} = {}));\n`);
  }
}
