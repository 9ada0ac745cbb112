import { matchResource, resourcesOf } from '../../../src/legacy/resources';
import { legacyRoutes } from '../../../src/legacy/routes';

/** The real route table: these are the paths legacy callers send, relative to a prefix. */
const resources = resourcesOf(legacyRoutes);
const uuid = '3f2504e0-4f89-41d3-9a0c-0305e82c3301';

/** Which template a path lands on, and with which parameters; null for a 404. */
function route(path: string) {
  const found = matchResource(resources, path);
  return found ? { template: found.resource.template, params: found.params } : null;
}

describe('grouping the route table into resources', () => {
  it('puts the methods of one path together, in table order', () => {
    const byTemplate = new Map(resources.map((r) => [r.template, [...r.methods.keys()]]));
    expect(byTemplate.get('/tasks')).toEqual(['GET', 'DELETE', 'POST']);
    expect(byTemplate.get('/tasks/{id}')).toEqual(['GET', 'PUT', 'DELETE']);
    expect(resources.map((r) => r.template)).toEqual(['/tasks', '/tasks/events', '/tasks/status/{status}', '/tasks/{status}', '/tasks/{id}']);
  });
});

describe('matching a legacy path to its route', () => {
  it.each([
    ['/tasks', '/tasks', {}],
    ['/tasks/', '/tasks', {}],
    ['/tasks/events', '/tasks/events', {}],
    ['/tasks/events/', '/tasks/events', {}],
    [`/tasks/${uuid}`, '/tasks/{id}', { id: uuid }],
    [`/tasks/${uuid}/`, '/tasks/{id}', { id: uuid }],
    ['/tasks/status/pending', '/tasks/status/{status}', { status: 'pending' }],
    ['/tasks/status/in%20progress', '/tasks/status/{status}', { status: 'in progress' }],
    ['/tasks/status/in progress', '/tasks/status/{status}', { status: 'in progress' }],
  ])('finds %s on %s', (path, template, params) => {
    expect(route(path)).toEqual({ template, params });
  });

  it('reads a status name in the id position as a listing by status (the reference example calls /tasks/sucess)', () => {
    for (const name of ['sucess', 'success', 'pending', 'in%20progress', 'FAILED']) {
      expect(route(`/tasks/${name}`)).toEqual({ template: '/tasks/{status}', params: { status: decodeURIComponent(name) } });
    }
  });

  it('reads any other status word in the id position as a listing by that word (GET /tasks/dispatched)', () => {
    expect(route('/tasks/done')).toEqual({ template: '/tasks/{status}', params: { status: 'done' } });
    expect(route('/tasks/setting%20up')).toEqual({ template: '/tasks/{status}', params: { status: 'setting up' } });
  });

  it('takes a segment that is no word (or is shaped like an id) as an id, for the id check to refuse with a 400', () => {
    expect(route('/tasks/not%20a%20uuid!')).toEqual({ template: '/tasks/{id}', params: { id: 'not a uuid!' } });
    expect(route('/tasks/6f1c3a2e-4b5d-4e6f-8a9b-0c1d2e3f4a5')).toEqual({ template: '/tasks/{id}', params: { id: '6f1c3a2e-4b5d-4e6f-8a9b-0c1d2e3f4a5' } });
  });

  it('keeps /tasks/status/ on the status listing with an empty status, so the caller hears which status to give', () => {
    expect(route('/tasks/status/')).toEqual({ template: '/tasks/status/{status}', params: { status: '' } });
  });

  it('passes an unknown status under /tasks/status/ to the route, which names the accepted ones', () => {
    expect(route('/tasks/status/done')).toEqual({ template: '/tasks/status/{status}', params: { status: 'done' } });
  });

  it.each(['/', '', '/task', '/tasks/a/b', `/tasks/${uuid}/history`, '/tasks/status/pending/extra', '/TASKS', '/tasks//', '//tasks'])('answers 404 for %p', (path) => {
    expect(route(path)).toBeNull();
  });

  it('refuses a broken percent-escape as the caller’s error (400), not a crash', () => {
    expect(() => matchResource(resources, '/tasks/status/in%2progress')).toThrow(expect.objectContaining({ status: 400 }));
    expect(() => matchResource(resources, '/tasks/%E0%A4%A')).toThrow(/not valid percent-encoding/);
  });
});
