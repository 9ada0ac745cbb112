import { buildSchema, getVariableValues, GraphQLNonNull, GraphQLObjectType, GraphQLScalarType, GraphQLSchema, GraphQLString, type OperationDefinitionNode, parse } from 'graphql';
import { plainCoercion } from '../../../src/graphql/plain-variables';

const schema = buildSchema(`
  type Query { task(id: ID!, name: String, flag: Boolean, n: Int): String }
`);

function definitionsOf(text: string) {
  return (parse(text).definitions[0] as OperationDefinitionNode).variableDefinitions ?? [];
}

/** plainCoercion (src/graphql/plain-variables.ts): admission's quick path, held to graphql-js's answers. */
describe('variables of the plain shapes coerced without graphql-js', () => {
  const definitions = definitionsOf('query($id: ID!, $name: String, $flag: Boolean) { task(id: $id, name: $name, flag: $flag) }');
  const coerce = plainCoercion(schema, definitions)!;

  it.each([
    [{ id: 'a' }],
    [{ id: 'a', name: 'n', flag: true }],
    [{ id: 'a', name: null, flag: null }],
    [{ id: 'a', other: 5 }],
    [{ id: '', name: '', flag: false }],
  ])('answers %j as graphql-js coerces it', (sent) => {
    const reference = getVariableValues(schema, definitions, sent);
    expect(reference.errors).toBeUndefined();
    expect(coerce(sent)).toEqual(reference.coerced);
    expect(Object.keys(coerce(sent)!)).toEqual(Object.keys(reference.coerced!));
  });

  it.each([[{}], [{ id: null }], [{ id: 7 }], [{ id: 'a', name: 3 }], [{ id: 'a', flag: 'yes' }], [{ id: ['a'] }], [{ id: { a: 1 } }]])(
    'leaves %j to graphql-js, which converts or refuses it',
    (sent) => {
      expect(coerce(sent)).toBeUndefined();
    },
  );

  it('takes no operation with a default, a list, an input object, an enum or a number', () => {
    expect(plainCoercion(schema, definitionsOf('query($id: ID! = "a") { task(id: $id) }'))).toBeUndefined();
    expect(plainCoercion(schema, definitionsOf('query($id: [ID!]!) { task(id: "a") }'))).toBeUndefined();
    expect(plainCoercion(schema, definitionsOf('query($id: ID!, $n: Int) { task(id: $id, n: $n) }'))).toBeUndefined();
  });

  it('takes no scalar named like a built-in one that is not graphql-js’s own', () => {
    const ownId = new GraphQLScalarType({ name: 'ID', parseValue: (value) => String(value).toLowerCase() });
    const replaced = new GraphQLSchema({
      query: new GraphQLObjectType({ name: 'Query', fields: { task: { type: GraphQLString, args: { id: { type: new GraphQLNonNull(ownId) } } } } }),
    });
    expect(plainCoercion(replaced, definitionsOf('query($id: ID!) { task(id: $id) }'))).toBeUndefined();
  });

  it('coerces an operation without variables to an empty set', () => {
    expect(plainCoercion(schema, [])?.({ extra: 1 })).toEqual({});
  });
});

describe('variables named like Object.prototype’s properties', () => {
  const definitions = definitionsOf('query($constructor: String, $hasOwnProperty: ID, $toString: Boolean) { task(id: "a") }');
  const coerce = plainCoercion(schema, definitions)!;

  it('leaves an operation with a variable named __proto__ to graphql-js, which keeps it as an own property', () => {
    const withProto = definitionsOf('query($__proto__: String, $id: ID!) { task(id: $id) }');
    expect(plainCoercion(schema, withProto)).toBeUndefined();
    const reference = getVariableValues(schema, withProto, JSON.parse('{"__proto__": null, "id": "a"}') as Record<string, unknown>);
    expect(Object.keys(reference.coerced!)).toEqual(['__proto__', 'id']);
    expect(Object.getPrototypeOf(reference.coerced)).toBe(Object.prototype);
  });

  it.each([
    '{"constructor": "c", "hasOwnProperty": "h", "toString": true}',
    '{"constructor": null, "__proto__": "p"}',
    '{}',
  ])('answers %s exactly as graphql-js does, own keys and prototype alike, and pollutes nothing', (json) => {
    const sent = JSON.parse(json) as Record<string, unknown>;
    const ours = coerce(sent);
    const reference = getVariableValues(schema, definitions, sent);
    expect(reference.errors).toBeUndefined();
    expect(ours).toBeDefined();
    expect(Object.keys(ours!)).toEqual(Object.keys(reference.coerced!));
    expect(Object.getPrototypeOf(ours)).toBe(Object.getPrototypeOf(reference.coerced!));
    for (const key of ['constructor', 'hasOwnProperty', 'toString']) expect(ours![key]).toBe(reference.coerced![key]);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});
