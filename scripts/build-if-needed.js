#!/usr/bin/env node
// Compiles TypeScript when dist/ is missing or older than any source file, so `npm start`
// on a fresh clone builds first and later starts skip the compiler.
const { execFileSync } = require('node:child_process');
const { existsSync, readdirSync, statSync } = require('node:fs');
const { join } = require('node:path');

const root = join(__dirname, '..');
const marker = join(root, 'dist', 'src', 'main.js');
// An installed image ships dist/ without sources: nothing to build.
if (!existsSync(join(root, 'src'))) process.exit(0);

function newest(dir) {
  let latest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = join(dir, entry.name);
    latest = Math.max(latest, entry.isDirectory() ? newest(full) : statSync(full).mtimeMs);
  }
  return latest;
}

const sources = Math.max(newest(join(root, 'src')), statSync(join(root, 'ormconfig.ts')).mtimeMs, statSync(join(root, 'package-lock.json')).mtimeMs);
if (!existsSync(marker) || statSync(marker).mtimeMs < sources) {
  console.error('taskgate: compiling TypeScript (npm run build)...');
  execFileSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', join(root, 'tsconfig.build.json')], { stdio: 'inherit' });
  execFileSync(process.execPath, [join(__dirname, 'bundle-web.js')], { stdio: 'inherit' });
} else if (!['playground', 'board'].every((page) => existsSync(join(root, 'dist', page, 'index.html')))) {
  execFileSync(process.execPath, [join(__dirname, 'bundle-web.js')], { stdio: 'inherit' });
}
