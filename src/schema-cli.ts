import { readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { schemaSdl } from './schema';

/** `--write` emits schema.graphql; `--check` fails when the committed file differs from the code. */
async function main(): Promise<void> {
  const file = resolve(__dirname, '..', '..', 'schema.graphql');
  const sdl = await schemaSdl();
  if (process.argv.includes('--write')) {
    writeFileSync(file, sdl);
    console.log(`wrote ${file}`);
    return;
  }
  let committed = '';
  try {
    committed = readFileSync(file, 'utf8');
  } catch {
    // a missing file is reported as out of date below
  }
  if (committed !== sdl) {
    console.error('schema.graphql is out of date: run `npm run schema:emit` and commit the result');
    process.exitCode = 1;
    return;
  }
  console.log('schema.graphql matches the resolvers');
}

void main();
