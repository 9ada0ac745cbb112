import 'reflect-metadata';
import { run } from '../cli/program';

/** `npm run migrate [-- --dry-run]`: the same as `taskgate migrate`. */
void run(['node', 'taskgate', 'migrate', ...process.argv.slice(2)]).then((code) => {
  if (code !== 0) process.exitCode = code;
});
