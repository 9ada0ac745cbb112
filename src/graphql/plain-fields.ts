import { type GraphQLSchema, isObjectType } from 'graphql';
import { type BuildSchemaOptions, getMetadataStorage } from 'type-graphql';

/**
 * type-graphql resolves every plain `@Field` of an object type through a wrapper (a resolver-data
 * object and the middleware chain, empty or not) that returns `root[propertyName]`. graphql-jit
 * compiles a field without a resolver to a property read, but one with a resolver to a call with
 * its error handling and result checks: ten such calls were a good part of executing `task(id)`.
 * A field with nothing for the wrapper to do (no global middleware, no @UseMiddleware, no
 * @Authorized on it) loses the wrapper: no resolver when the property has the field's name, a
 * plain read of the property otherwise (`Task.id` is `uuid`). Field resolvers (`@FieldResolver`)
 * keep type-graphql's. The object types hold data only (no methods or getters), so graphql-js's
 * default resolver and graphql-jit's read answer what the wrapper answered.
 */
export function plainFields(schema: GraphQLSchema, built: Pick<BuildSchemaOptions, 'globalMiddlewares'>): GraphQLSchema {
  if (built.globalMiddlewares?.length) return schema;
  const storage = getMetadataStorage();
  for (const objectType of storage.objectTypes) {
    const type = schema.getType(objectType.name);
    if (!isObjectType(type)) continue;
    const fields = type.getFields();
    for (const field of objectType.fields ?? []) {
      const built = fields[field.schemaName];
      if (!built?.resolve) continue;
      if (field.roles?.length || field.middlewares?.length) continue;
      const resolved = storage.fieldResolvers.some((r) => r.methodName === field.name && r.getObjectType?.() === objectType.target);
      if (resolved) continue;
      const property = field.name;
      built.resolve = property === field.schemaName ? undefined : (root: Record<string, unknown>) => root[property];
    }
  }
  return schema;
}
