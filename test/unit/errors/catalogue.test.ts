import { readdirSync, readFileSync, statSync } from 'node:fs';
import { constants } from 'node:os';
import { join } from 'node:path';
import { getMetadataStorage } from 'type-graphql';
import { authChecker, writeRole } from '../../../src/auth/roles';
import { AuthError, authErrorCode } from '../../../src/auth/authenticate';
import { catalogueEntry, errorCatalogue, restDefaultCodeOf } from '../../../src/errors/catalogue';
import { ClientError } from '../../../src/errors/client-error';
import { maskErrors } from '../../../src/graphql/mask-errors';
import { LegacyFailure } from '../../../src/legacy/failure';
import { legacyWords } from '../../../src/legacy/shapes';
import { TaskStatus } from '../../../src/tasks/task-status';
import { badInput, invalidTransition } from '../../../src/tasks/task.errors';
import { GraphQLError } from 'graphql';
import '../../../src/schema';
import { TaskResolver } from '../../../src/tasks/task.resolver';

const root = join(__dirname, '../../..');

/** Node's errno names (ECONNREFUSED, ...) and getaddrinfo's (ENOTFOUND, EAI_AGAIN): the CLI reads them, they are not ours. */
const isSystemErrorCode = (code: string) => Object.hasOwn(constants.errno, code) || code === 'ENOTFOUND' || /^EAI_[A-Z]+$/.test(code);

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return path.endsWith('.ts') ? [path] : [];
  });
}

/** Upper-case literals on lines of the server's source that raise or name an error code. */
function codesNamedInSource(): Map<string, string> {
  const found = new Map<string, string>();
  for (const file of sourceFiles(join(root, 'src'))) {
    // The catalogue itself, and the client kit (it reads the codes servers send, it raises none).
    if (file.endsWith(join('errors', 'catalogue.ts')) || file.startsWith(join(root, 'src', 'client'))) continue;
    readFileSync(file, 'utf8')
      .split('\n')
      .forEach((line, index) => {
        if (!/(code|Code|Error|refuse|statusOf|Failure)/.test(line)) return;
        for (const [, code] of line.matchAll(/'([A-Z][A-Z]+(?:_[A-Z]+)*)'/g)) {
          // Driver codes (ER_*, SQLITE_*), node's system and HTTP parser errors (ECONNREFUSED, HPE_*, ERR_HTTP_*) and HTTP verbs are not ours.
          if (/^(ER_|SQLITE_|HPE_|ERR_HTTP_)/.test(code) || isSystemErrorCode(code) || ['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'OPTIONS'].includes(code)) continue;
          if (!found.has(code)) found.set(code, `${file.slice(root.length + 1)}:${index + 1}`);
        }
      });
  }
  return found;
}

/** The README's error table: code and HTTP status per row. */
function readmeTable(): Map<string, number> {
  const readme = readFileSync(join(root, 'README.md'), 'utf8');
  const start = readme.indexOf('| code | HTTP | when |');
  expect(start).toBeGreaterThan(-1);
  const rows = new Map<string, number>();
  for (const line of readme.slice(start).split('\n').slice(2)) {
    const row = /^\| `([A-Z_]+)` \| (\d{3}) \|/.exec(line);
    if (!row) break;
    rows.set(row[1], Number(row[2]));
  }
  return rows;
}

describe('the error catalogue', () => {
  it('holds every error code the source raises or names', () => {
    const missing = [...codesNamedInSource()].filter(([code]) => !catalogueEntry(code)).map(([code, where]) => `${code} (${where})`);
    expect(missing).toEqual([]);
  });

  it('holds the code of every authentication refusal', () => {
    for (const status of [400, 401, 403, 503] as const) expect(catalogueEntry(authErrorCode(new AuthError(status, 'Reason', 'fix it')))).toBeDefined();
  });

  it('agrees with the README error table, code for code and status for status', () => {
    const graphqlCodes = Object.entries(errorCatalogue)
      .filter(([, entry]) => !('graphql' in entry))
      .map(([code, entry]) => [code, entry.status] as const);
    expect([...readmeTable()].sort()).toEqual([...graphqlCodes].sort());
  });

  it('names the legacy refusal of a status that has no more specific code', () => {
    expect(new LegacyFailure(400, 'x').code).toBe('BAD_REQUEST');
    expect(new LegacyFailure(404, 'x').code).toBe('NOT_FOUND');
    expect(new LegacyFailure(413, 'x').code).toBe('BODY_TOO_LARGE');
    expect(new LegacyFailure(429, 'x').code).toBe('HTTP_429');
    expect(restDefaultCodeOf(500)).toBe('INTERNAL_SERVER_ERROR');
  });
});

describe('masking', () => {
  const logged: unknown[] = [];
  const logger = { error: (...args: unknown[]) => logged.push(args) } as never;
  const mask = maskErrors(logger);

  it('lets a client error through with its message and details', () => {
    const error = badInput('type', 'must be lowercase');
    expect(mask({ message: error.message, extensions: { ...error.extensions } }, error)).toEqual({ message: 'type: must be lowercase', extensions: { code: 'BAD_USER_INPUT', field: 'type' } });
  });

  it('hides an error that is not ours even when it carries a catalogued code', () => {
    const error = Object.assign(new Error('secret driver detail'), { extensions: { code: 'BAD_USER_INPUT' } });
    expect(mask({ message: error.message, extensions: { code: 'BAD_USER_INPUT' } }, error)).toMatchObject({ message: 'Internal server error', extensions: { code: 'INTERNAL_SERVER_ERROR' } });
  });

  it('hides a code the catalogue does not have', () => {
    const error = new GraphQLError('odd', { extensions: { code: 'SOMETHING_ELSE' } });
    expect(mask({ message: 'odd', extensions: { code: 'SOMETHING_ELSE' } }, error).message).toBe('Internal server error');
  });
});

describe('client errors in legacy words', () => {
  it('names GraphQL fields as legacy callers know them', () => {
    expect(badInput('objectUuid', 'must be a UUID').messageIn(legacyWords)).toBe('object_uuid: must be a UUID');
    expect(badInput('stage', 'too long').messageIn(legacyWords)).toBe('status: too long');
    expect(badInput('stage', 'too long').message).toBe('stage: too long');
  });

  it('names phases by their documented words', () => {
    const refused = invalidTransition({ phase: TaskStatus.FAILED, word: 'error', documented: false }, { phase: TaskStatus.SUCCESS, word: 'sucess', documented: true });
    expect(refused.message).toBe('a task cannot go from error (FAILED) to SUCCESS');
    expect(refused.messageIn(legacyWords)).toBe('a task cannot go from error (failed) to sucess');
    expect(refused).toBeInstanceOf(ClientError);
    expect(refused).not.toBeInstanceOf(GraphQLError);
  });
});

describe('authorization', () => {
  it('declares the write role on every mutation, so none can forget the check', () => {
    const mutations = getMetadataStorage().mutations.filter((m) => m.target === TaskResolver).map((m) => m.methodName);
    expect(mutations.sort()).toEqual(['createTask', 'deleteTask', 'updateTask']);
    const authorized = getMetadataStorage().authorizedFields.filter((f) => f.target === TaskResolver);
    for (const name of mutations) expect(authorized.find((f) => f.fieldName === name)?.roles).toEqual([writeRole]);
  });

  it('refuses a read key with FORBIDDEN and lets a write key through', () => {
    const action = (role: 'read' | 'write') => ({ context: { caller: { id: 'u', role } }, root: {}, args: {}, info: {} }) as never;
    expect(authChecker(action('write'), [writeRole])).toBe(true);
    expect(() => authChecker(action('read'), [writeRole])).toThrow(expect.objectContaining({ code: 'FORBIDDEN', message: 'this key may read but not write' }));
  });
});
