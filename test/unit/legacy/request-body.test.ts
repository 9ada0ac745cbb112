import { checkBody, type FieldSpec, statusNamed } from '../../../src/legacy/request';
import { TaskStatus } from '../../../src/tasks/task-status';

/** The fields of the create route, as the route table declares them. */
const createFields: Record<string, FieldSpec> = {
  description: { type: 'string', required: true, description: '' },
  status: { type: 'status', description: '' },
  log: { type: 'string', description: '' },
};
const body = (text: string) => Buffer.from(text, 'utf8');

/** The refusal a body gets: its HTTP status and reason, or what it was read as. */
function read(text: string) {
  try {
    return checkBody(body(text), createFields);
  } catch (error) {
    const { status, reason } = error as { status: number; reason: string };
    return { status, reason };
  }
}

describe('reading a legacy JSON body', () => {
  it('reads the declared fields, status names as the GraphQL enum, and ignores the rest', () => {
    expect(read('{"description":"clone","status":"in progress","created":{"by":"someone else"},"extra":1}')).toEqual({ description: 'clone', status: TaskStatus.IN_PROGRESS });
  });

  it('reads a body whatever its Content-Type said, a UTF-8 byte-order mark included', () => {
    expect(read('\uFEFF{"description":"with a BOM"}')).toEqual({ description: 'with a BOM' });
  });

  it('takes null as absent', () => {
    expect(read('{"description":"x","status":null,"log":null}')).toEqual({ description: 'x' });
  });

  it.each([
    ['an empty body', '', 'the request body must be a JSON object'],
    ['blanks only', '  \n', 'the request body must be a JSON object'],
    ['broken JSON', '{"description":', 'the request body is not valid JSON'],
    ['an array', '[{"description":"x"}]', 'the request body must be a JSON object'],
    ['a JSON string', '"x"', 'the request body must be a JSON object'],
    ['JSON null', 'null', 'the request body must be a JSON object'],
    ['a missing required field', '{"status":"pending"}', 'description: is required'],
    ['a number where a string belongs', '{"description":7}', 'description: must be a string'],
    ['an object where a string belongs', '{"description":{"$ne":""}}', 'description: must be a string'],
  ])('answers 400 to %s, saying what to fix', (_what, text, reason) => {
    expect(read(text)).toEqual({ status: 400, reason });
  });

  it('answers 400 to an unknown status, naming the accepted ones', () => {
    const refused = read('{"description":"x","status":"done"}') as { status: number; reason: string };
    expect(refused.status).toBe(400);
    expect(refused.reason).toMatch(/^status: unknown status "done"; use one of /);
    expect(refused.reason).toContain('in progress');
  });
});

describe('reading a status name', () => {
  it('accepts every legacy spelling, any case', () => {
    expect(['pending', 'In Progress', 'sucess', 'SUCCESS', 'failed'].map((name) => statusNamed(name))).toEqual([TaskStatus.PENDING, TaskStatus.IN_PROGRESS, TaskStatus.SUCCESS, TaskStatus.SUCCESS, TaskStatus.FAILED]);
  });

  it('asks for a name when given none', () => {
    expect(() => statusNamed(' ')).toThrow(/^status: give a status name/);
  });
});
