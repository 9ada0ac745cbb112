#!/usr/bin/env node
// The `taskgate` command (package bin): serve, migrate, keys, sign, call. Run with --help.
// In a source checkout it compiles first when dist/ is stale; an installed image has no src/.
const { join } = require('node:path');
const { spawnSync } = require('node:child_process');
const { existsSync } = require('node:fs');

const root = join(__dirname, '..');
const builder = join(root, 'scripts', 'build-if-needed.js');
if (existsSync(join(root, 'src')) && existsSync(builder)) {
  const build = spawnSync(process.execPath, [builder], { stdio: ['ignore', 'inherit', 'inherit'] });
  if (build.status !== 0) {
    console.error('taskgate: the build failed');
    process.exit(build.status ?? 1);
  }
}
require(join(root, 'dist', 'src', 'cli', 'program.js'))
  .run(process.argv)
  .then((code) => {
    if (code !== 0) process.exitCode = code;
  });
