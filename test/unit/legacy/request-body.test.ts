import { checkBody, type FieldSpec } from '../../../src/legacy/request';

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
  it('reads the declared fields, the status word as written (the task service normalises it), and ignores the rest', () => {
    expect(read('{"description":"clone","status":"In Progress","created":{"by":"someone else"},"extra":1}')).toEqual({ description: 'clone', status: 'In Progress' });
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
});
