import { GraphQLBoolean, GraphQLID, type GraphQLSchema, GraphQLString, Kind, type VariableDefinitionNode } from 'graphql';

/** Coerced variables, or undefined when graphql-js must decide (and word any refusal). */
export type PlainCoercion = (sent: Record<string, unknown>) => Record<string, unknown> | undefined;

const plainScalars = new Set<string>([GraphQLID.name, GraphQLString.name, GraphQLBoolean.name]);
const has = Object.prototype.hasOwnProperty;

/**
 * Variables of the most common shape (`$id: ID!`: ID, String or Boolean, nullable or not, no list,
 * no default) coerced without graphql-js's general walk, which showed in the read path's
 * profile. For these types graphql-js keeps a string (ID, String) or a boolean (Boolean) as it
 * is, keeps null for a nullable variable, and leaves out a variable that was not sent: exactly
 * what this does. Anything else (an ID sent as a number, null or nothing for a non-null
 * variable, a wrong type) returns undefined, and graphql-js coerces or refuses it as before.
 * Undefined for definitions of any other shape, or when the schema's scalar of that name is not
 * graphql-js's own.
 */
export function plainCoercion(schema: GraphQLSchema, definitions: readonly VariableDefinitionNode[]): PlainCoercion | undefined {
  const variables: { name: string; nonNull: boolean; scalar: string }[] = [];
  for (const definition of definitions) {
    if (definition.defaultValue) return undefined;
    const nonNull = definition.type.kind === Kind.NON_NULL_TYPE;
    const named = nonNull ? (definition.type as { type: VariableDefinitionNode['type'] }).type : definition.type;
    if (named.kind !== Kind.NAMED_TYPE || !plainScalars.has(named.name.value)) return undefined;
    const scalar = named.name.value;
    const builtIn = scalar === GraphQLID.name ? GraphQLID : scalar === GraphQLString.name ? GraphQLString : GraphQLBoolean;
    if (schema.getType(scalar) !== builtIn) return undefined;
    // Assigned here, `$__proto__` would set the object's prototype (or be dropped); graphql-js
    // answers it as an own property. Rare enough to leave to graphql-js.
    if (definition.variable.name.value === '__proto__') return undefined;
    variables.push({ name: definition.variable.name.value, nonNull, scalar: scalar === GraphQLBoolean.name ? 'boolean' : 'string' });
  }
  return (sent) => {
    const coerced: Record<string, unknown> = {};
    for (const variable of variables) {
      if (!has.call(sent, variable.name)) {
        if (variable.nonNull) return undefined;
        continue;
      }
      const value = sent[variable.name];
      if (value === null && !variable.nonNull) coerced[variable.name] = null;
      else if (typeof value === variable.scalar) coerced[variable.name] = value;
      else return undefined;
    }
    return coerced;
  };
}
