import {
  type ASTVisitor,
  type DocumentNode,
  type FieldNode,
  type FragmentDefinitionNode,
  GraphQLError,
  type GraphQLSchema,
  isListType,
  isNonNullType,
  isObjectType,
  Kind,
  type ParseOptions,
  type SelectionSetNode,
  type ValidationContext,
  type ValidationRule,
} from 'graphql';
import { type ComplexityEstimatorArgs, getComplexity, simpleEstimator } from 'graphql-query-complexity';
import type { AppConfig } from '../config';

/**
 * GraphQL limits, the same on every door (HTTP, WebSocket, legacy REST). Defaults follow
 * graphql-armor's reference points: depth 6, aliases 15, cost 5000, tokens 1000.
 *
 * - tokens: `parseOptions(config)` — pass to `parse` (Apollo: `parseOptions`), so a huge
 *   document is refused while it is being lexed, before anything else looks at it;
 * - depth and aliases: `validationRules(config)` (validation-rules.ts), static per document;
 * - cost: `checkCost(...)` needs the variables (`tasks(first: $n)`), so it runs once the
 *   operation is resolved: an Apollo plugin on HTTP, onSubscribe on the WebSocket door.
 */
export type Limits = AppConfig['limits'];

export function parseOptions(limits: Limits): ParseOptions {
  return { maxTokens: limits.maxTokens };
}

function limitError(message: string, extensions: Record<string, unknown>): GraphQLError {
  return new GraphQLError(message, { extensions: { code: 'QUERY_TOO_COMPLEX', ...extensions } });
}

/** Refuses documents whose fields nest deeper than `max` (fragments followed, introspection excepted). */
export function depthLimit(max: number): ValidationRule {
  return (context: ValidationContext): ASTVisitor => {
    const fragments = new Map<string, FragmentDefinitionNode>();
    for (const definition of context.getDocument().definitions) {
      if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);
    }
    const depthOf = (set: SelectionSetNode | undefined, depth: number, visiting: Set<string>): number => {
      if (!set || depth > max) return depth;
      let deepest = depth;
      for (const selection of set.selections) {
        if (selection.kind === Kind.FIELD) {
          // Introspection (__schema, __type) is legitimately deep; it is turned off in production.
          if (selection.name.value.startsWith('__')) continue;
          deepest = Math.max(deepest, depthOf(selection.selectionSet, depth + 1, visiting));
        } else if (selection.kind === Kind.INLINE_FRAGMENT) {
          deepest = Math.max(deepest, depthOf(selection.selectionSet, depth, visiting));
        } else {
          const name = selection.name.value;
          const fragment = fragments.get(name);
          // A fragment cycle is NoFragmentCyclesRule's to report; here it just stops the walk.
          if (!fragment || visiting.has(name)) continue;
          visiting.add(name);
          deepest = Math.max(deepest, depthOf(fragment.selectionSet, depth, visiting));
          visiting.delete(name);
        }
        if (deepest > max) break;
      }
      return deepest;
    };
    return {
      OperationDefinition(operation) {
        const depth = depthOf(operation.selectionSet, 0, new Set());
        if (depth > max) context.reportError(limitError(`the query nests deeper than ${max} levels`, { limit: 'depth', max }));
      },
    };
  };
}

/** Refuses documents with more than `max` aliases (alias batching multiplies work per request). */
export function aliasLimit(max: number): ValidationRule {
  return (context: ValidationContext): ASTVisitor => {
    let aliases = 0;
    let reported = false;
    return {
      Field(field: FieldNode) {
        if (!field.alias) return;
        aliases += 1;
        if (aliases > max && !reported) {
          reported = true;
          context.reportError(limitError(`the query uses more than ${max} aliases`, { limit: 'aliases', max }));
        }
      },
    };
  };
}

/** Default length of a list field when `first` is not given (tasks: 50, history: 100). */
const defaultListSize: Record<string, number> = { tasks: 50, history: 100 };

/**
 * Cost: one point per object an operation can return, plus one per field that returns objects.
 * A list counts its length: `first` when given (a variable's value included), else its default
 * size; `first` on a connection (tasks) multiplies what is under it. Scalars are free.
 */
function objectCountEstimator({ field, args, childComplexity }: ComplexityEstimatorArgs): number | void {
  let type = field.type;
  if (isNonNullType(type)) type = type.ofType;
  const isList = isListType(type);
  const named = isList ? (type as { ofType: unknown }).ofType : type;
  const composite = isObjectType(isNonNullType(named) ? named.ofType : named);
  if (!composite && !isList) return 0;
  const length = typeof args.first === 'number' && args.first >= 0 ? args.first : (defaultListSize[field.name] ?? 1);
  return isList ? 1 + length * (1 + childComplexity) : 1 + length * childComplexity;
}

/** Costs already worked out, per schema and parsed document (Apollo and graphql-ws reuse parsed documents). */
const costCache = new WeakMap<GraphQLSchema, WeakMap<DocumentNode, Map<string, number>>>();

function documentCosts(schema: GraphQLSchema, document: DocumentNode): Map<string, number> {
  let bySchema = costCache.get(schema);
  if (!bySchema) costCache.set(schema, (bySchema = new WeakMap()));
  let costs = bySchema.get(document);
  if (!costs) bySchema.set(document, (costs = new Map()));
  return costs;
}

/** The operation and the numeric variables: all a cost can depend on besides the document. */
function costKey(operationName: string | undefined | null, variables: Record<string, unknown> | undefined): string {
  let key = operationName ?? '';
  if (variables) for (const name in variables) if (typeof variables[name] === 'number') key += `\u0000${name}=${variables[name]}`;
  return key;
}

/** The cost limit of one resolved operation, or undefined when it fits. */
export function checkCost(
  schema: GraphQLSchema,
  document: DocumentNode,
  variables: Record<string, unknown> | undefined,
  operationName: string | undefined | null,
  limits: Limits,
): GraphQLError | undefined {
  const cost = costOf(schema, document, variables, operationName);
  if (cost === null) return limitError('the query is too complex to estimate', { limit: 'cost', max: limits.maxCost });
  if (cost === undefined) return undefined;
  if (cost > limits.maxCost) return limitError(`the query costs ${cost}, more than the limit of ${limits.maxCost}`, { limit: 'cost', max: limits.maxCost, cost });
  return undefined;
}

/**
 * The cost of one resolved operation (checkCost compares it with the limit; fair share
 * (src/fairness/) counts costly operations with it). Undefined when the variables are the
 * executor's to refuse; null when it cannot be estimated.
 */
export function costOf(
  schema: GraphQLSchema,
  document: DocumentNode,
  variables: Record<string, unknown> | undefined,
  operationName: string | undefined | null,
): number | null | undefined {
  // The cost walk (a TypeInfo visitor over the whole document) was about 6% of the gateway's
  // CPU on task(id) reads (bench/PROFILE.md), for a figure that only changes with the document
  // and the numbers in its variables: the estimators read no other variable (`first` only).
  const costs = documentCosts(schema, document);
  const key = costKey(operationName, variables);
  const known = costs.get(key);
  if (known !== undefined) return known;
  try {
    const cost = getComplexity({
      schema,
      query: document,
      variables: variables ?? {},
      operationName: operationName ?? undefined,
      estimators: [objectCountEstimator, simpleEstimator({ defaultComplexity: 0 })],
    });
    if (costs.size >= 1000) costs.clear();
    costs.set(key, cost);
    return cost;
  } catch (error) {
    // Bad variables are the executor's to report (BAD_USER_INPUT); anything else refuses the query.
    if (error instanceof GraphQLError && /^(Variable|Argument) /.test(error.message)) return undefined;
    return null;
  }
}
