import { getVariableValues, type GraphQLSchema, parse } from 'graphql';
import { operationCost, pricedVariables } from '../../../src/graphql/cost';
import { PreparedOperation } from '../../../src/graphql/documents';
import { taskgateSchema } from '../../../src/schema';

/** The cost rule (src/graphql/cost.ts) on the real schema, without a server. */
describe('the cost rule', () => {
  let schema: GraphQLSchema;
  beforeAll(async () => {
    schema = await taskgateSchema();
  });

  /** The price of a document's first operation with these (raw) variables, coerced as admission coerces them. */
  const price = (text: string, variables: Record<string, unknown> = {}) => {
    const document = parse(text);
    const operation = new PreparedOperation(document, document.definitions[0] as never);
    const coerced = getVariableValues(schema, operation.operation.variableDefinitions ?? [], variables);
    if (coerced.errors) throw coerced.errors[0];
    return operationCost(schema, document, operation.operation, coerced.coerced);
  };

  it('charges one per object and nothing for scalars', () => {
    expect(price('{ lastEventId }')).toBe(0);
    expect(price('{ task(id: "00000000-0000-4000-8000-000000000000") { id description } }')).toBe(1);
    expect(price('{ task(id: "00000000-0000-4000-8000-000000000000") { id created { at by } } }')).toBe(2);
  });

  it('multiplies what is under a list by first, or by the list’s default size', () => {
    expect(price('{ task(id: "00000000-0000-4000-8000-000000000000") { history(first: 10) { status } } }')).toBe(1 + 1 + 10);
    expect(price('{ task(id: "00000000-0000-4000-8000-000000000000") { history { status } } }')).toBe(1 + 1 + 100);
    expect(price('query($n: Int) { task(id: "00000000-0000-4000-8000-000000000000") { history(first: $n) { status } } }', { n: 3 })).toBe(1 + 1 + 3);
  });

  it('gives a connection’s first to its edges, and counts pageInfo once', () => {
    // tasks 1, edges 1 + 40 × (edge 1 + node 1 + history 101), pageInfo 1
    expect(price('{ tasks(first: 40) { edges { node { history(first: 100) { status } } } pageInfo { hasNextPage } } }')).toBe(1 + 1 + 40 * 103 + 1);
    expect(price('{ tasks { edges { node { id } } } }')).toBe(1 + 1 + 50 * 2);
  });

  it('charges totalCount for the COUNT(*) it runs, once per connection and not per edge', () => {
    expect(price('{ tasks { totalCount } }')).toBe(1 + 1000);
    expect(price('{ tasks(first: 500) { totalCount } }')).toBe(1 + 1000);
    expect(price('{ a: tasks { totalCount } b: tasks(status: PENDING) { totalCount } }')).toBe(2 * 1001);
  });

  it('leaves out what @skip or @include leave out, with the values sent', () => {
    const text = 'query($x: Boolean!) { tasks(first: 500) @include(if: $x) { edges { node { id } } } }';
    expect(price(text, { x: false })).toBe(0);
    expect(price(text, { x: true })).toBe(1 + 1 + 500 * 2);
    expect(price(text.replace('@include', '@skip'), { x: true })).toBe(0);
    expect(price('{ tasks @skip(if: false) @include(if: true) { totalCount } }')).toBe(1001);
    expect(price('query($x: Boolean!) { tasks { ... @include(if: $x) { totalCount } } }', { x: false })).toBe(1);
  });

  it('follows fragments', () => {
    const text = 'query { tasks(first: 10) { edges { node { ...T } } } } fragment T on Task { history(first: 5) { task { id } } }';
    expect(price(text)).toBe(1 + 1 + 10 * (1 + 1 + (1 + 5 * 2)));
  });

  it('throws, never prices lower, when an argument cannot be coerced', () => {
    const text = 'query Q($id: ID = "00000000-0000-4000-8000-000000000000") { task(id: $id) { id } a: tasks(first: 500) { edges { node { id } } } }';
    expect(() => price(text, { id: null })).toThrow(/"id".*must not be null/);
    expect(price(text, {})).toBe(1 + 1 + 1 + 500 * 2);
  });

  it('keys prices by the variables that reach first or a directive, and by nothing else', () => {
    const document = parse('query($id: ID!, $n: Int, $x: Boolean!, $y: Boolean = true) { task(id: $id) @include(if: $x) { history(first: $n) { ...E } } } fragment E on TaskEvent { id @skip(if: $y) }');
    const operation = document.definitions[0] as never;
    expect(pricedVariables(document, operation)).toEqual(['n', 'x', 'y']);
    const prepared = new PreparedOperation(document, operation);
    expect(prepared.priceKey({ id: 'a', n: 1, x: true, y: true })).toBe(prepared.priceKey({ id: 'b', n: 1, x: true, y: true }));
    expect(prepared.priceKey({ n: 1, x: true, y: true })).not.toBe(prepared.priceKey({ n: 1, x: false, y: true }));
    expect(prepared.priceKey({ n: 1, x: true, y: true })).not.toBe(prepared.priceKey({ n: 2, x: true, y: true }));
    // Left out and null are different inputs.
    expect(prepared.priceKey({ x: true, y: true })).not.toBe(prepared.priceKey({ n: null, x: true, y: true }));
  });
});
