import { type GraphQLFieldResolver, type GraphQLSchema, isObjectType } from 'graphql';
import { type BuildSchemaOptions, getMetadataStorage } from 'type-graphql';
import { isGuarded, type ParamMetadata, paramsOf, type ResolverClass } from './resolver-metadata';

/**
 * type-graphql resolves every plain `@Field` of an object type through a wrapper (a resolver-data
 * object and the middleware chain, empty or not) that returns `root[propertyName]`. graphql-jit
 * compiles a field without a resolver to a property read, but one with a resolver to a call with
 * its error handling and result checks: ten such calls were a good part of executing `task(id)`.
 * A field with nothing for the wrapper to do (no global middleware, no @UseMiddleware, no
 * @Authorized on it) loses the wrapper: no resolver when the property has the field's name, a
 * plain read of the property otherwise (`Task.id` is `uuid`). A field with a `@FieldResolver`
 * is left to plainFieldResolvers (below). The object types hold data only (no methods or getters), so graphql-js's
 * default resolver and graphql-jit's read answer what the wrapper answered.
 */
export function plainFields(schema: GraphQLSchema, built: Pick<BuildSchemaOptions, 'resolvers' | 'globalMiddlewares'>): GraphQLSchema {
  if (built.globalMiddlewares?.length) return schema;
  const storage = getMetadataStorage();
  plainFieldResolvers(schema, built.resolvers);
  for (const objectType of storage.objectTypes) {
    const type = schema.getType(objectType.name);
    if (!isObjectType(type)) continue;
    const fields = type.getFields();
    for (const field of objectType.fields ?? []) {
      const built = fields[field.schemaName];
      if (!built?.resolve) continue;
      // roles is [] for `@Authorized()` with no role: authChecker still runs.
      if (field.roles || field.middlewares?.length) continue;
      const resolved = storage.fieldResolvers.some((r) => r.schemaName === field.schemaName && r.getObjectType?.() === objectType.target);
      if (resolved) continue;
      const property = field.name;
      built.resolve = property === field.schemaName ? undefined : (root: Record<string, unknown>) => root[property];
    }
  }
  return schema;
}

/**
 * A `@FieldResolver` in a resolver class that takes only `@Root()` (untyped, or typed as a plain
 * object: type-graphql hands such a root over as it is) and `@Ctx()`, with no @Authorized or
 * middleware on it or its class and no @Authorized on the object type's field (type-graphql copies
 * those roles to it), is called directly: type-graphql's wrapper would build its resolver data and
 * parameter list and find nothing to check (`Task.log`, `TaskEvent.task`).
 * Resolvers with arguments keep the wrapper (their arguments are converted and validated there).
 */
function plainFieldResolvers(schema: GraphQLSchema, resolvers: BuildSchemaOptions['resolvers']): void {
  const storage = getMetadataStorage();
  const classes: readonly Function[] = resolvers;
  for (const resolver of storage.fieldResolvers) {
    if (resolver.kind !== 'external' || !classes.includes(resolver.target) || resolver.roles || resolver.middlewares?.length) continue;
    if (isGuarded(resolver.target, resolver.methodName)) continue;
    const objectType = storage.objectTypes.find((o) => o.target === resolver.getObjectType?.());
    const type = objectType && schema.getType(objectType.name);
    const field = isObjectType(type) ? type.getFields()[resolver.schemaName] : undefined;
    if (!field?.resolve) continue;
    const params = paramsOf(resolver.target, resolver.methodName);
    if (!params.every(isRootOrContext)) continue;
    const instance = new (resolver.target as ResolverClass)();
    const method = instance[resolver.methodName];
    const resolve: GraphQLFieldResolver<Record<string, unknown>, Record<string, unknown>> = (root, _args, context) =>
      method.apply(
        instance,
        params.map((p) => {
          const from = p.kind === 'root' ? root : context;
          return 'propertyName' in p && p.propertyName ? from[p.propertyName] : from;
        }),
      );
    field.resolve = resolve as typeof field.resolve;
  }
}

/** The context, or a root type-graphql would hand over unconverted (no type, or a plain object type). */
function isRootOrContext(param: ParamMetadata): boolean {
  if (param.kind === 'context') return true;
  return param.kind === 'root' && (param.getType === undefined || param.getType() === Object);
}
