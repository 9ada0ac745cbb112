import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildOnce, root } from './compiled-server';

/** The kit as a caller's code sees it: the package's `exports`, run and type-checked from inside the package. */
describe('the client kit as a package (taskgate/client)', () => {
  const dir = join(root, 'test-output', 'package');
  beforeAll(() => {
    buildOnce();
    mkdirSync(dir, { recursive: true });
  });

  it('loads with require and with import, every entry point with its functions', () => {
    const listing = `console.log([c.sign, c.signedFetch, c.presign, c.connectionParams, c.followEventStream, c.FeedPosition, w.createTaskgateClient, a.taskgateLink, u.taskgateSubscriptionExchange].map((f) => typeof f).join(' '))`;
    writeFileSync(join(dir, 'load.cjs'), `const c = require('taskgate/client'); const w = require('taskgate/client/graphql-ws'); const a = require('taskgate/client/apollo'); const u = require('taskgate/client/urql');\n${listing}\n`);
    writeFileSync(join(dir, 'load.mjs'), `import * as c from 'taskgate/client'; import * as w from 'taskgate/client/graphql-ws'; import * as a from 'taskgate/client/apollo'; import * as u from 'taskgate/client/urql';\n${listing}\n`);
    const expected = `${Array(9).fill('function').join(' ')}\n`;
    for (const file of ['load.cjs', 'load.mjs']) expect(execFileSync(process.execPath, [join(dir, file)], { cwd: root, encoding: 'utf8' })).toBe(expected);
  });

  it('has types for ESM and CommonJS callers', () => {
    writeFileSync(
      join(dir, 'consumer.mts'),
      `import { sign, presign, type Credentials } from 'taskgate/client';
import { createTaskgateClient } from 'taskgate/client/graphql-ws';
import { taskgateLink } from 'taskgate/client/apollo';
import { taskgateSubscriptionExchange } from 'taskgate/client/urql';
const credentials: Credentials = { key: 'k_1', secret: 's' };
const headers: Promise<Record<string, string>> = sign(credentials, { method: 'GET', url: 'http://localhost:4000/tasks/' });
const url: Promise<string> = presign(credentials, 'http://localhost:4000/tasks/events');
void [headers, url, createTaskgateClient, taskgateLink, taskgateSubscriptionExchange];
`,
    );
    writeFileSync(
      join(dir, 'consumer.cts'),
      `import { signedFetch } from 'taskgate/client';
const fetchSigned: (input: string, init?: RequestInit) => Promise<Response> = signedFetch({ key: 'k_1', secret: 's' });
void fetchSigned;
`,
    );
    const tsc = require.resolve('typescript/bin/tsc');
    const args = ['--noEmit', '--strict', '--module', 'nodenext', '--moduleResolution', 'nodenext', '--target', 'es2022', '--skipLibCheck', join(dir, 'consumer.mts'), join(dir, 'consumer.cts')];
    expect(() => execFileSync(process.execPath, [tsc, ...args], { cwd: root, encoding: 'utf8' })).not.toThrow();
  });
});
