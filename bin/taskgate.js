#!/usr/bin/env node
// The `taskgate` command. For now: `taskgate serve` (what `npm start` runs) and `taskgate migrate`.
const { join } = require('node:path');
const { spawnSync } = require('node:child_process');

const root = join(__dirname, '..');
const builder = join(root, 'scripts', 'build-if-needed.js');
if (require('node:fs').existsSync(builder)) spawnSync(process.execPath, [builder], { stdio: 'inherit' });
const [command = 'serve', ...rest] = process.argv.slice(2);
const entry = { serve: 'dist/src/main.js', migrate: 'dist/src/db/migrate-cli.js' }[command];
if (!entry) {
  console.error(`taskgate: unknown command "${command}"\nusage: taskgate serve | taskgate migrate [--dry-run]`);
  process.exit(2);
}
process.argv = [process.argv[0], join(root, entry), ...rest];
require(join(root, entry));
