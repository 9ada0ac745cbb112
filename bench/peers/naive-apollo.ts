/**
 * Peer: the stack a user writes by hand from the libraries' getting-started pages, the one taskgate
 * must beat by a wide margin. Apollo Server 5 on express 5 (@as-integrations/express5), a
 * type-graphql resolver, and a TypeORM repository on its own table (PEER_TABLE, same columns as
 * `tasks`) with the gateway's pool size. No authentication: it ignores the signature headers.
 *
 * TypeScript with decorators, as such a user writes it; bench/lib/peers.js compiles it with the
 * TypeScript compiler (decorator metadata included) before starting it.
 * Database settings: FLOOR_MYSQL (JSON connection options), FLOOR_POOL_SIZE, PEER_TABLE; PORT.
 */
import 'reflect-metadata';
import { ApolloServer } from '@apollo/server';
import { expressMiddleware } from '@as-integrations/express5';
import express from 'express';
import { Arg, buildSchema, Field, ID, Int, ObjectType, Query, registerEnumType, Resolver } from 'type-graphql';
import { Column, DataSource, Entity, PrimaryColumn } from 'typeorm';

enum TaskStatus {
  PENDING = 'PENDING',
  IN_PROGRESS = 'IN_PROGRESS',
  SUCCESS = 'SUCCESS',
  FAILED = 'FAILED',
}
registerEnumType(TaskStatus, { name: 'TaskStatus' });

@ObjectType()
class Creation {
  @Field(() => Date)
  @Column({ name: 'created_at', type: 'datetime', precision: 3 })
  at: Date;

  @Field()
  @Column({ name: 'created_by', type: 'varchar', length: 128 })
  by: string;
}

@Entity({ name: process.env.PEER_TABLE ?? 'peer_naive_tasks' })
@ObjectType('Task')
class Task {
  @Field(() => ID, { name: 'id' })
  @PrimaryColumn({ type: 'varchar', length: 36 })
  uuid: string;

  @Field()
  @Column({ type: 'varchar', length: 1024 })
  description: string;

  @Field(() => TaskStatus)
  @Column({ type: 'varchar', length: 16 })
  status: TaskStatus;

  @Field(() => String, { nullable: true })
  @Column({ type: 'varchar', length: 64, nullable: true })
  type: string | null;

  @Field(() => String, { nullable: true })
  @Column({ name: 'object_uuid', type: 'varchar', length: 36, nullable: true })
  objectUuid: string | null;

  @Field(() => Creation)
  @Column(() => Creation, { prefix: false })
  created: Creation;

  @Field(() => Date)
  @Column({ name: 'last_update', type: 'datetime', precision: 3 })
  lastUpdate: Date;

  @Field(() => String, { nullable: true })
  @Column({ type: 'text', nullable: true })
  log: string | null;

  @Field(() => Int)
  @Column({ type: 'integer' })
  version: number;
}

const connection = JSON.parse(process.env.FLOOR_MYSQL ?? '{}') as { host: string; port: number; user: string; password?: string; database: string };
const poolSize = Number(process.env.FLOOR_POOL_SIZE ?? 10);
const dataSource = new DataSource({
  type: 'mariadb',
  host: connection.host,
  port: connection.port,
  username: connection.user,
  password: connection.password || undefined,
  database: connection.database,
  timezone: 'Z',
  charset: 'utf8mb4',
  entities: [Task],
  synchronize: false,
  logging: false,
  poolSize,
  extra: { connectionLimit: poolSize },
});

@Resolver(() => Task)
class TaskResolver {
  @Query(() => Task, { nullable: true })
  task(@Arg('id', () => ID) id: string): Promise<Task | null> {
    return dataSource.getRepository(Task).findOneBy({ uuid: id });
  }
}

async function main(): Promise<void> {
  await dataSource.initialize();
  const schema = await buildSchema({ resolvers: [TaskResolver] });
  const apollo = new ApolloServer({ schema });
  await apollo.start();
  const app = express();
  app.use('/graphql', express.json(), expressMiddleware(apollo));
  app.listen(Number(process.env.PORT), '127.0.0.1');
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
// A normal exit on SIGTERM, so node --cpu-prof (BENCH_PEER_NODE_ARGS) writes its profile.
process.on('SIGTERM', () => process.exit(0));
