import {
  type DocumentNode,
  type FieldNode,
  type FragmentDefinitionNode,
  getArgumentValues,
  getDirectiveValues,
  getNamedType,
  getNullableType,
  type GraphQLCompositeType,
  type GraphQLField,
  GraphQLIncludeDirective,
  type GraphQLSchema,
  GraphQLSkipDirective,
  isCompositeType,
  isListType,
  isObjectType,
  isInterfaceType,
  Kind,
  type OperationDefinitionNode,
  type SelectionSetNode,
  SchemaMetaFieldDef,
  TypeMetaFieldDef,
  TypeNameMetaFieldDef,
  visit,
} from 'graphql';

/**
 * The cost rule: what one operation may make the gateway read and return, worked out before it
 * runs from the document and the variables it will run with (coerced by graphql-js, exactly as
 * execution coerces them).
 *
 * - An object costs 1; a scalar costs nothing.
 * - A list costs 1, plus for each element it can return 1 and what is selected under it. Its
 *   length is `first` when given (a variable's value included), else the field's default
 *   (`history` 100, `tasks` 50), else 1.
 * - A connection (`tasks`) passes its `first` to its `edges`; `pageInfo` and `totalCount` are
 *   counted once, not once per edge.
 * - `totalCount` runs a COUNT(*) over every matching task: it costs `countCost` (1000), like
 *   reading the largest page.
 * - Fields skipped by @skip/@include with the values sent cost nothing; the others are counted
 *   (fields selected twice are counted twice, although they run once: an over-estimate).
 *
 * It fails closed: an argument that cannot be coerced (e.g. null sent into a non-null argument
 * through a nullable variable with a default) throws the GraphQLError execution would raise,
 * and the caller refuses the operation instead of pricing it without that field.
 */
export interface CostRule {
  /** Cost of `totalCount` (one COUNT(*) over the matching rows). */
  countCost: number;
}

/**
 * A count reads every matching row, at least as many as the largest page (500 tasks, about 1000
 * points with their fields): four counts fit in the default limit of 5000, five do not.
 */
export const defaultCostRule: CostRule = { countCost: 1000 };

/** Length of a list field when `first` is not given. */
const defaultListSize: Readonly<Record<string, number>> = { tasks: 50, history: 100 };

/**
 * The only arguments the rule reads. The cache of prices is keyed by the values of the variables
 * that reach these arguments or a directive (`pricedVariables`), so the rule must read no other.
 */
export const pricedArguments: readonly string[] = ['first'];

export function operationCost(schema: GraphQLSchema, document: DocumentNode, operation: OperationDefinitionNode, variables: Record<string, unknown>, rule: CostRule = defaultCostRule): number {
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const definition of document.definitions) if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);
  const root = schema.getRootType(operation.operation);
  if (!root) throw new Error(`the schema has no ${operation.operation} type`);

  const included = (node: { directives?: readonly unknown[] } & Parameters<typeof getDirectiveValues>[1]): boolean => {
    if (!node.directives?.length) return true;
    if (getDirectiveValues(GraphQLSkipDirective, node, variables)?.if === true) return false;
    return getDirectiveValues(GraphQLIncludeDirective, node, variables)?.if !== false;
  };

  const fieldDefinition = (parent: GraphQLCompositeType, node: FieldNode): GraphQLField<unknown, unknown> => {
    const name = node.name.value;
    if (name === SchemaMetaFieldDef.name && parent === root) return SchemaMetaFieldDef;
    if (name === TypeMetaFieldDef.name && parent === root) return TypeMetaFieldDef;
    if (name === TypeNameMetaFieldDef.name) return TypeNameMetaFieldDef;
    const field = isObjectType(parent) || isInterfaceType(parent) ? parent.getFields()[name] : undefined;
    // Validation has run: a field the type lacks means the document is not the one validated.
    if (!field) throw new Error(`${parent.name} has no field ${name}`);
    return field;
  };

  /** `pageSize`: the `first` of the connection whose selection this is (for its `edges`). */
  const selectionCost = (parent: GraphQLCompositeType, set: SelectionSetNode, pageSize: number | undefined, depth: number): number => {
    // Validation refused fragment cycles; this only guards against a document that skipped it.
    if (depth > 64) throw new Error('the selection nests too deep to price');
    let total = 0;
    for (const selection of set.selections) {
      if (!included(selection)) continue;
      if (selection.kind === Kind.FIELD) {
        total += fieldCost(fieldDefinition(parent, selection), selection, pageSize, depth);
      } else {
        const definition = selection.kind === Kind.INLINE_FRAGMENT ? selection : fragments.get(selection.name.value);
        if (!definition) throw new Error(`unknown fragment ${(selection as { name: { value: string } }).name.value}`);
        const condition = definition.typeCondition ? schema.getType(definition.typeCondition.name.value) : parent;
        if (!condition || !isCompositeType(condition)) throw new Error('a fragment on a type that is not composite');
        total += selectionCost(condition, definition.selectionSet, pageSize, depth + 1);
      }
    }
    return total;
  };

  const fieldCost = (field: GraphQLField<unknown, unknown>, node: FieldNode, pageSize: number | undefined, depth: number): number => {
    // Coerced for every field, priced or not: an argument execution would refuse refuses the operation.
    const args = pricedArgumentValues(field, node, variables);
    if (field.name === 'totalCount') return rule.countCost;
    const named = getNamedType(field.type);
    if (!isCompositeType(named) || !node.selectionSet) return 0;
    const first = typeof args.first === 'number' && args.first >= 0 ? args.first : undefined;
    if (isConnection(named)) return 1 + selectionCost(named, node.selectionSet, first ?? defaultListSize[field.name] ?? 1, depth + 1);
    const child = selectionCost(named, node.selectionSet, undefined, depth + 1);
    if (!isListType(getNullableType(field.type))) return 1 + child;
    const length = field.name === 'edges' && pageSize !== undefined ? pageSize : (first ?? defaultListSize[field.name] ?? 1);
    return 1 + length * (1 + child);
  };

  return selectionCost(root, operation.selectionSet, undefined, 0);
}

/**
 * The field's arguments coerced as execution coerces them (graphql-js `getArgumentValues`, which
 * throws what execution would report), of which the rule sees only `pricedArguments`.
 */
function pricedArgumentValues(field: GraphQLField<unknown, unknown>, node: FieldNode, variables: Record<string, unknown>): Record<string, unknown> {
  const all = getArgumentValues(field, node, variables);
  const priced: Record<string, unknown> = {};
  for (const name of pricedArguments) if (name in all) priced[name] = all[name];
  return priced;
}

/** A Relay-style connection: an object with an `edges` list. */
function isConnection(type: GraphQLCompositeType): boolean {
  return isObjectType(type) && 'edges' in type.getFields() && type.name.endsWith('Connection');
}

/**
 * The variables a price can depend on: those used in a priced argument or in a directive,
 * anywhere in the operation or the fragments it may spread. The price is cached under their
 * coerced values; every other variable (ids, filters, inputs) cannot change it.
 */
export function pricedVariables(document: DocumentNode, operation: OperationDefinitionNode): string[] {
  const names = new Set<string>();
  const collect = (node: OperationDefinitionNode | FragmentDefinitionNode) =>
    visit(node, {
      Argument(argument, _key, _parent, _path, ancestors) {
        const owner = ancestors[ancestors.length - 1];
        const inDirective = !Array.isArray(owner) && (owner as { kind?: string }).kind === Kind.DIRECTIVE;
        if (!inDirective && !pricedArguments.includes(argument.name.value)) return false;
        visit(argument.value, {
          Variable(variable) {
            names.add(variable.name.value);
          },
        });
        return false;
      },
    });
  collect(operation);
  // Any fragment may be spread by this operation; counting all of them only adds variables to the key.
  for (const definition of document.definitions) if (definition.kind === Kind.FRAGMENT_DEFINITION) collect(definition);
  // Variable definitions can carry directives too.
  for (const definition of operation.variableDefinitions ?? []) for (const directive of definition.directives ?? []) visit(directive, { Variable: (v) => void names.add(v.name.value) });
  return [...names].sort();
}
