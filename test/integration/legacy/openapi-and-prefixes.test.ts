import { loadConfig } from '../../../src/config';
import { legacyRoutes } from '../../../src/legacy/routes';
import { startServer, type TestServer } from '../../helpers/server';

describe('the OpenAPI document of the legacy API', () => {
  let server: TestServer;
  let doc: any;

  beforeAll(async () => {
    server = await startServer('sqlite');
    const res = await server.request('GET', '/api/virtshell/v1/openapi.json');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    doc = res.body;
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('is OpenAPI 3.1 with a server per configured prefix', () => {
    expect(doc.openapi).toBe('3.1.0');
    expect(doc.servers).toEqual([{ url: '/api/virtshell/v1' }, { url: '/' }]);
  });

  it('documents every route of the table, with its method and every response it declares', () => {
    const shape = (path: string) => path.replace(/\{[^}]+\}/g, '{}');
    const documented = Object.entries(doc.paths).flatMap(([path, item]: [string, any]) => Object.keys(item).map((method) => `${method.toUpperCase()} ${shape(path)}`));
    const served = [...new Set(legacyRoutes.map((r) => `${r.method} ${shape(r.path)}`))];
    expect(documented.sort()).toEqual(served.sort());
    // The word segment (GET /tasks/{status}) shares its shape with GET /tasks/{id}: documented in the text, not as a second schema.
    for (const route of legacyRoutes.filter((r) => r.name !== 'listTasksByStatusSegment')) {
      const operation = Object.entries(doc.paths).find(([path]) => shape(path) === shape(route.path))![1] as any;
      for (const status of Object.keys(route.responses)) expect(operation[route.method.toLowerCase()].responses[status]).toBeDefined();
    }
  });

  it('types a status as a word (no enum a corrected `success` or a caller\'s word could break), with the documented four and the callers\' words as examples', () => {
    const word = { type: 'string', minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9 _-]+$' };
    const status = doc.components.schemas.Task.properties.status;
    expect(status).toMatchObject(word);
    expect(status.enum).toBeUndefined();
    expect(status.examples.slice(0, 5)).toEqual(['pending', 'in progress', 'sucess', 'failed', 'success']);
    expect(status.examples).toEqual(expect.arrayContaining(['dispatching', 'dispatched', 'error', 'setting up', 'provisioned', 'storage_created']));
    const update = doc.paths['/tasks/{id}'].put.requestBody.content['application/json'].schema;
    expect(update.properties.status).toMatchObject({ ...word, type: ['string', 'null'] });
    expect(doc.components.schemas.Phase.enum).toEqual(['PENDING', 'IN_PROGRESS', 'SUCCESS', 'FAILED']);
    expect(doc.info.description).toContain('provisioned -> SUCCESS');
  });

  it('answers GET /tasks/{id} with a Task alone, documents DELETE, and names its license', () => {
    expect(doc.paths['/tasks/{id}'].get.responses[200].content['application/json'].schema).toEqual({ $ref: '#/components/schemas/Task' });
    expect(doc.paths['/tasks/{id}'].delete.responses[200].content['application/json'].schema).toEqual({ $ref: '#/components/schemas/DeleteResult' });
    expect(Object.keys(doc.paths['/tasks'].delete.responses)).toContain('405');
    expect(doc.info.license).toEqual({ name: 'MIT', identifier: 'MIT' });
  });

  it('lists the wire fields of a task, timestamps as epoch-second strings', () => {
    const task = doc.components.schemas.Task;
    expect(Object.keys(task.properties)).toEqual(['uuid', 'description', 'status', 'type', 'object_uuid', 'created', 'last_update', 'log', 'version']);
    expect(task.properties.last_update).toMatchObject({ type: 'string', pattern: '^[0-9]+$' });
  });
});

describe('legacy prefixes (TASKGATE_LEGACY_PREFIXES)', () => {
  let server: TestServer;

  beforeAll(async () => {
    server = await startServer('sqlite', { TASKGATE_LEGACY_PREFIXES: '/legacy/v1/' });
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('serves the API only under the configured prefixes', async () => {
    expect((await server.request('GET', '/legacy/v1/tasks')).body).toEqual({ tasks: [] });
    expect((await server.request('GET', '/legacy/v1/openapi.json')).body.servers).toEqual([{ url: '/legacy/v1' }]);
    const root = await server.request('GET', '/tasks');
    expect([root.status, root.body]).toEqual([404, { error: 'no route for /tasks' }]);
    expect((await server.request('GET', '/api/virtshell/v1/tasks')).status).toBe(404);
  });

  it('refuses a prefix that is not a path, naming the variable', () => {
    expect(() => loadConfig({ TASKGATE_LEGACY_PREFIXES: 'api/v1' })).toThrow(/TASKGATE_LEGACY_PREFIXES: expected paths like \/api\/virtshell\/v1 or \//);
    expect(() => loadConfig({ TASKGATE_LEGACY_PREFIXES: ' , ' })).toThrow(/TASKGATE_LEGACY_PREFIXES/);
    expect(loadConfig({ TASKGATE_LEGACY_PREFIXES: '/, /api/virtshell/v1/' }).legacyPrefixes).toEqual(['/api/virtshell/v1', '']);
  });
});
