import { type ASTVisitor, GraphQLError, type ValidationContext, type ValidationRule } from 'graphql';

/**
 * Refuses `__schema` and `__type` (introspection) when TASKGATE_INTROSPECTION turns it off (the
 * default in production), on every door alike. The message names the setting, so whoever runs
 * the server knows what to change. `__typename` stays allowed: clients use it to tell types apart.
 */
export const noIntrospection: ValidationRule = (context: ValidationContext): ASTVisitor => ({
  Field(node) {
    const name = node.name.value;
    if (name !== '__schema' && name !== '__type') return;
    context.reportError(
      new GraphQLError(`introspection (${name}) is turned off on this server; whoever runs it can turn it on with TASKGATE_INTROSPECTION=on`, {
        nodes: node,
        extensions: { code: 'GRAPHQL_VALIDATION_FAILED' },
      }),
    );
  },
});

/**
 * graphql-js suggests similar names in validation messages ("Did you mean ...?"), which tells a
 * stranger the schema; in production they are cut, as Apollo's `hideSchemaDetailsFromClientErrors`
 * cuts them on HTTP (same expression), for the WebSocket door.
 */
export function withoutSuggestions(message: string): string {
  return message.replace(/ ?Did you mean(.+?)\?$/, '');
}
