import {
  type ASTVisitor,
  type FieldNode,
  type FragmentDefinitionNode,
  GraphQLError,
  Kind,
  type ParseOptions,
  type SelectionSetNode,
  type ValidationContext,
  type ValidationRule,
} from 'graphql';
import type { AppConfig } from '../config';

/**
 * GraphQL limits, the same on every door (HTTP, WebSocket, legacy REST). Defaults follow
 * graphql-armor's reference points: depth 6, aliases 15, cost 5000, tokens 1000.
 *
 * - document bytes and tokens: before parsing (documents.ts; `parseOptions` here), so a huge
 *   document is refused before anything else looks at it;
 * - depth and aliases: `validationRules(config)` (validation-rules.ts), static per document;
 * - cost: needs the variables (`tasks(first: $n)`), so it is part of admission (admission.ts,
 *   the rule in cost.ts), which every door runs once the operation is known.
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
