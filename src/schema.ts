import 'reflect-metadata';
import { type GraphQLSchema, printSchema } from 'graphql';
import { buildSchema } from 'type-graphql';
import { TaskConnectionResolver, TaskEventResolver, TaskResolver } from './tasks/task.resolver';

let built: Promise<GraphQLSchema> | undefined;

/** The GraphQL schema, built once per process from the type-graphql resolvers. */
export function taskgateSchema(): Promise<GraphQLSchema> {
  built ??= buildSchema({
    resolvers: [TaskResolver, TaskEventResolver, TaskConnectionResolver],
    validate: false,
  });
  return built;
}

/** The SDL committed as schema.graphql. */
export async function schemaSdl(): Promise<string> {
  const header = '# Generated from the type-graphql resolvers by `npm run schema:emit`. Do not edit by hand.\n\n';
  return header + printSchema(await taskgateSchema()) + '\n';
}
