import 'reflect-metadata';
import { type GraphQLSchema, printSchema } from 'graphql';
import { createPubSub } from '@graphql-yoga/subscription';
import { type BuildSchemaOptions, buildSchema } from 'type-graphql';
import { authChecker } from './auth/roles';
import { plainFields } from './graphql/plain-fields';
import { plainRootQueries } from './graphql/plain-root-queries';
import { TaskSubscriptionResolver } from './tasks/task-subscription.resolver';
import { TaskConnectionResolver, TaskEventResolver, TaskResolver } from './tasks/task.resolver';

const resolvers = [TaskResolver, TaskEventResolver, TaskConnectionResolver, TaskSubscriptionResolver] as const;
let built: Promise<GraphQLSchema> | undefined;

/** The GraphQL schema, built once per process from the type-graphql resolvers. */
export function taskgateSchema(): Promise<GraphQLSchema> {
  const options: BuildSchemaOptions = {
    resolvers,
    validate: false,
    // Every mutation declares @Authorized(writeRole); this one check (auth/roles.ts) enforces it.
    authChecker,
    authMode: 'error',
    // type-graphql insists on one, but no resolver uses topics: every subscription reads the
    // app's own EventFeed through its context, so instances sharing this schema share no events.
    pubSub: createPubSub(),
  };
  built ??= buildSchema(options).then((schema) => plainFields(plainRootQueries(schema, options), options));
  return built;
}

/** The SDL committed as schema.graphql. */
export async function schemaSdl(): Promise<string> {
  const header = '# Generated from the type-graphql resolvers by `npm run schema:emit`. Do not edit by hand.\n\n';
  return header + printSchema(await taskgateSchema()) + '\n';
}
