import { getNamedType, getVariableValues, type GraphQLSchema, isEnumType, isInputObjectType, parse, type OperationDefinitionNode } from 'graphql';
import { taskgateSchema } from '../../../src/schema';

/**
 * Admission coerces a request's variables once and the operation runs with those coerced values
 * (graphql-js and graphql-jit coerce what they are given again). That is only the same run if
 * coercing a coerced value changes nothing, which holds for the built-in scalars and for enums
 * whose values are their names. This fails when a type is added for which it does not hold.
 */
describe('coerced variables', () => {
  let schema: GraphQLSchema;
  beforeAll(async () => {
    schema = await taskgateSchema();
  });

  it('every enum of the schema has its names as values, so coercing twice changes nothing', () => {
    const enums = Object.values(schema.getTypeMap()).filter((type) => isEnumType(type) && !type.name.startsWith('__'));
    expect(enums.length).toBeGreaterThan(0);
    for (const type of enums) {
      if (!isEnumType(type)) continue;
      for (const value of type.getValues()) expect(value.value).toBe(value.name);
    }
  });

  it('every input field is a built-in scalar, one of those enums or another such input', () => {
    const seen = new Set<string>();
    const check = (name: string) => {
      if (seen.has(name)) return;
      seen.add(name);
      const type = schema.getType(name);
      if (isInputObjectType(type)) for (const field of Object.values(type.getFields())) check(getNamedType(field.type).name);
      else expect(['String', 'Int', 'Float', 'Boolean', 'ID'].includes(name) || isEnumType(type)).toBe(true);
    };
    for (const field of Object.values({ ...schema.getQueryType()!.getFields(), ...schema.getMutationType()!.getFields(), ...schema.getSubscriptionType()!.getFields() })) {
      for (const arg of field.args) check(getNamedType(arg.type).name);
    }
  });

  it('coerces a coerced set of variables to itself', () => {
    const document = parse('mutation($input: CreateTaskInput!, $n: Int, $s: TaskStatus) { createTask(input: $input) { id history(first: $n) { id } } }');
    const definitions = (document.definitions[0] as OperationDefinitionNode).variableDefinitions ?? [];
    const once = getVariableValues(schema, definitions, { input: { description: 'd', status: 'IN_PROGRESS', type: 'create_instance' }, n: 3, s: 'PENDING' });
    expect(once.errors).toBeUndefined();
    const twice = getVariableValues(schema, definitions, once.coerced!);
    expect(twice.coerced).toEqual(once.coerced);
  });
});
