import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildSchema, parse, validate } from 'graphql';

const root = join(__dirname, '..', '..', '..');

describe('examples.graphql', () => {
  it('holds only operations that are valid against schema.graphql, the live feed included', () => {
    const schema = buildSchema(readFileSync(join(root, 'schema.graphql'), 'utf8'));
    const document = parse(readFileSync(join(root, 'examples.graphql'), 'utf8'));
    expect(validate(schema, document).map((e) => e.message)).toEqual([]);
    const operations = document.definitions.flatMap((d) => (d.kind === 'OperationDefinition' ? [d.operation] : []));
    expect(operations).toContain('subscription');
    expect(readFileSync(join(root, 'examples.graphql'), 'utf8')).not.toMatch(/not (yet )?available|once the WebSocket/i);
  });
});
