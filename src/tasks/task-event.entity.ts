import { Field, ID, Int, ObjectType } from 'type-graphql';
import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import { TaskStatus } from './task-status';

/** One committed change of a task (its creation included): its history and the feeds' source. */
@Entity({ name: 'task_events' })
@Index('uq_task_events_task_version', ['taskUuid', 'version'], { unique: true })
@Index('idx_task_events_status', ['status', 'id'])
@ObjectType('TaskEvent', { description: 'One committed change of a task; ids grow monotonically.' })
export class TaskEventEntity {
  @Field(() => ID, { description: 'Event id; pass the last one seen as `after` to resume a feed.' })
  @PrimaryGeneratedColumn({ type: 'bigint' })
  id: string;

  @Column({ name: 'task_uuid', type: 'varchar', length: 36 })
  taskUuid: string;

  @Field(() => Int, { description: 'The task version this change produced.' })
  @Column({ type: 'integer' })
  version: number;

  @Field(() => TaskStatus)
  @Column({ type: 'varchar', length: 16 })
  status: TaskStatus;

  @Field(() => TaskStatus, { nullable: true, description: 'Status before the change; null for the creation.' })
  @Column({ name: 'previous_status', type: 'varchar', length: 16, nullable: true })
  previousStatus: TaskStatus | null;

  @Field(() => String, { nullable: true })
  @Column({ type: 'text', nullable: true })
  log: string | null;

  @Field(() => Date)
  @Column({ name: 'changed_at', type: 'datetime', precision: 3 })
  at: Date;

  @Field({ description: 'Id of the user who made the change.' })
  @Column({ name: 'changed_by', type: 'varchar', length: 128 })
  by: string;
}

export type TaskEvent = Pick<TaskEventEntity, keyof TaskEventEntity>;
