import { Field, ID, Int, ObjectType } from 'type-graphql';
import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import { Creation } from './creation';
import { TaskStatus } from './task-status';

/** A task: the entity stored in `tasks` and the GraphQL `Task` type in one class. */
@Entity({ name: 'tasks' })
// Listing order is (created_at, uuid); each filter has an index that serves it in that order.
@Index('idx_tasks_created', ['created.at', 'uuid'])
@Index('idx_tasks_status_created', ['status', 'created.at', 'uuid'])
@Index('idx_tasks_stage_created', ['stage', 'created.at', 'uuid'])
@Index('idx_tasks_type_created', ['type', 'created.at', 'uuid'])
@Index('idx_tasks_object_created', ['objectUuid', 'created.at', 'uuid'])
@ObjectType('Task', { description: 'An individual task on VirtShell.' })
export class TaskEntity {
  @Field(() => ID, { name: 'id', description: 'The task uuid (lowercase).' })
  @PrimaryColumn({ type: 'varchar', length: 36 })
  uuid: string;

  @Field()
  @Column({ type: 'varchar', length: 1024 })
  description: string;

  @Field(() => TaskStatus, { description: 'The lifecycle phase; the state machine works on it. `stage` is the word that put the task here.' })
  @Column({ type: 'varchar', length: 16 })
  status: TaskStatus;

  @Field(() => String, {
    description:
      'The status word as last written (lower case), e.g. pending, dispatching, provisioned, error: what legacy REST callers read as `status`. It belongs to the phase in `status`.',
  })
  @Column({ type: 'varchar', length: 64 })
  stage: string;

  @Field(() => String, { nullable: true, description: 'What kind of task, e.g. create_instance.' })
  @Column({ type: 'varchar', length: 64, nullable: true })
  type: string | null;

  @Field(() => String, { nullable: true, description: 'Uuid of the object the task acts on (instance, host, ...).' })
  @Column({ name: 'object_uuid', type: 'varchar', length: 36, nullable: true })
  objectUuid: string | null;

  @Field(() => Creation)
  @Column(() => Creation, { prefix: false })
  created: Creation;

  @Field(() => Date, { description: 'Time of the last change (UTC, millisecond precision).' })
  @Column({ name: 'last_update', type: 'datetime', precision: 3 })
  lastUpdate: Date;

  /** GraphQL `log` is resolved in TaskResolver: a big log is read only when a client selects it. LONGTEXT on MySQL. */
  @Column({ type: 'text', nullable: true })
  log: string | null;

  /** True when `log` was left in the database (too big to read along): `log` is null here, load it by id. */
  logDeferred?: boolean;

  /**
   * Size of the log in bytes (0 without one); listings bound their pages by it. Stored as
   * `log_bytes`, kept by the database's triggers (migration StoredLogBytes), never written by the app.
   */
  @Column({ name: 'log_bytes', type: 'bigint', nullable: true, insert: false, update: false })
  logBytes?: number;

  @Field(() => Int, { description: 'Starts at 1 and grows by one with every update; pass it as expectedVersion.' })
  @Column({ type: 'integer', default: 1 })
  version: number;
}

/** A task as the service hands it around: plain data, no entity behaviour. */
export type Task = Pick<TaskEntity, keyof TaskEntity>;
