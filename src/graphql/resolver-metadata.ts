import { getMetadataStorage } from 'type-graphql';

/** A resolver class as type-graphql knows it: built with no arguments, methods by name. */
export type ResolverClass = new () => Record<string, (...args: unknown[]) => unknown>;
export type ParamMetadata = ReturnType<typeof getMetadataStorage>['params'][number];

/**
 * Whether type-graphql's wrapper has checks to run around a resolver method: @Authorized or
 * middleware on the method or on its class. Only a method without them may be called directly
 * (plainRootQueries, plainFields).
 */
export function isGuarded(target: Function, methodName: string): boolean {
  const storage = getMetadataStorage();
  return (
    storage.authorizedResolver.some((a) => a.target === target) ||
    storage.authorizedFields.some((a) => a.target === target && a.fieldName === methodName) ||
    storage.resolverMiddlewares.some((m) => m.target === target) ||
    storage.middlewares.some((m) => m.target === target && m.fieldName === methodName)
  );
}

/** A resolver method's parameters, in order. */
export function paramsOf(target: Function, methodName: string): ParamMetadata[] {
  return getMetadataStorage()
    .params.filter((p) => p.target === target && p.methodName === methodName)
    .sort((a, b) => a.index - b.index);
}
