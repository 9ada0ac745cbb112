import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { databaseKinds } from '../../helpers/databases';
import { startServer, type TestServer, testKeys } from '../../helpers/server';
import { buildOnce, root } from './compiled-server';

/** The README's client recipes, as written: each block opens with `// recipe: <file>` or `# recipe: <file>`. */
function recipes(): Map<string, string> {
  const readme = readFileSync(join(root, 'README.md'), 'utf8');
  const found = new Map<string, string>();
  for (const match of readme.matchAll(/```\w+\n(?:\/\/|#) recipe: (\S+)\n([\s\S]*?)```/g)) found.set(match[1], match[2]);
  return found;
}

/** What each recipe prints when it worked. */
const uuid = '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}';
const expectations: Record<string, RegExp[]> = {
  'apollo.mjs': [new RegExp(`^created ${uuid}$`, 'm'), /^event 1 [A-Z_]+$/m],
  'urql.cjs': [/^tasks \d+$/m],
  'graphql-request.mjs': [new RegExp(`^created ${uuid} ${uuid}$`, 'm')],
  'graphql-ws.mjs': [/^event 1 \S/m],
  'eventsource.mjs': [/^event 1 (pending|in progress)$/m],
  'curl.sh': [new RegExp(`^\\{"create":"success","task_id":"${uuid}"\\}$`, 'm'), /^data: \{"uuid":/m],
  'python.py': [new RegExp(`^\\{'create': 'success', 'task_id': '${uuid}'\\}$`, 'm')],
};

function run(file: string, env: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const [command, args] = file.endsWith('.sh') ? ['bash', [file]] : file.endsWith('.py') ? ['python3', [file]] : [process.execPath, [file]];
  return new Promise((done) => {
    // Run from the package itself, so `taskgate/client` resolves to this checkout's build.
    const child = spawn(command, args, { cwd: root, env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('close', (code) => done({ code, stdout, stderr }));
  });
}

describe.each(databaseKinds())('the README client recipes against a real taskgate on %s', (kind) => {
  let server: TestServer;
  const dir = join(root, 'test-output', 'recipes');
  beforeAll(async () => {
    buildOnce();
    mkdirSync(dir, { recursive: true });
    server = await startServer(kind);
  });
  afterAll(() => server.stop());

  it('has every recipe the tests know, and no other', () => {
    expect([...recipes().keys()].sort()).toEqual(Object.keys(expectations).sort());
  });

  it.each(Object.keys(expectations))('runs the %s recipe as written', async (name) => {
    const source = recipes().get(name);
    expect(source).toBeDefined();
    // Inside the package, so that `import ... from 'taskgate/client'` resolves as it does for a user.
    const file = join(dir, name);
    writeFileSync(file, source!);
    const result = await run(file, { TASKGATE_URL: server.baseUrl, TASKGATE_KEY: testKeys.writer.user, TASKGATE_SECRET: testKeys.writer.secret });
    expect({ code: result.code, stderr: result.stderr }).toEqual({ code: 0, stderr: '' });
    for (const pattern of expectations[name]) expect(result.stdout).toMatch(pattern);
  });
});
