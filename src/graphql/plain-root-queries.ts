import { type GraphQLFieldResolver, GraphQLScalarType, type GraphQLSchema } from 'graphql';
import { type BuildSchemaOptions, getMetadataStorage } from 'type-graphql';
import { isGuarded, type ParamMetadata, paramsOf, type ResolverClass } from './resolver-metadata';


/**
 * type-graphql calls a resolver that takes an argument through a wrapper that always returns a
 * promise (each argument goes through an async validation step, with validation off too): a read
 * SQLite answers at once (`task(id)`) could not complete without a promise and its turns. A root
 * query of `resolvers` for which that wrapper has nothing to do (no @Authorized on it or its class,
 * no middleware, only scalar @Arg and @Ctx parameters, nothing validated: schema.ts builds with
 * `validate: false`) is resolved by calling its method directly with the same parameters; what
 * the method returns, a value or a promise, is the field's. Every other field keeps type-graphql's.
 */
export function plainRootQueries(schema: GraphQLSchema, built: Pick<BuildSchemaOptions, 'resolvers' | 'validate' | 'globalMiddlewares'>): GraphQLSchema {
  // What the schema was built with could give every resolver work to do: then none is plain.
  if (built.validate !== false || built.globalMiddlewares?.length) return schema;
  const resolvers: readonly Function[] = built.resolvers;
  const fields = schema.getQueryType()?.getFields() ?? {};
  const storage = getMetadataStorage();
  for (const query of storage.queries) {
    const field = fields[query.schemaName];
    if (!field || !resolvers.includes(query.target)) continue;
    if (isGuarded(query.target, query.methodName)) continue;
    const params = paramsOf(query.target, query.methodName);
    // Without an argument the wrapper returns the method's own value already.
    if (!params.some((p) => p.kind === 'arg') || !params.every(isPlain)) continue;
    const instance = new (query.target as ResolverClass)();
    const method = instance[query.methodName];
    const resolve: GraphQLFieldResolver<unknown, Record<string, unknown>, Record<string, unknown>> = (_root, args, context) =>
      method.apply(
        instance,
        params.map((p) => (p.kind === 'arg' ? args[p.name] : p.kind === 'context' && p.propertyName ? context[p.propertyName] : context)),
      );
    field.resolve = resolve as typeof field.resolve;
  }
  return schema;
}

/** A parameter type-graphql would hand over as it is: the context, or a scalar argument with no validation of its own. */
function isPlain(param: ParamMetadata): boolean {
  if (param.kind === 'context') return true;
  return param.kind === 'arg' && param.validateFn === undefined && (param.validateSettings === undefined || param.validateSettings === false) && param.getType() instanceof GraphQLScalarType;
}
