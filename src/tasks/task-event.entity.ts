import { Field, ID, Int, ObjectType, registerEnumType } from 'type-graphql';
import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import { TaskStatus } from './task-status';

/** What an event did to its task. */
export enum TaskEventKind {
  CREATED = 'CREATED',
  UPDATED = 'UPDATED',
  DELETED = 'DELETED',
}

registerEnumType(TaskEventKind, {
  name: 'TaskEventKind',
  description: 'What an event did to its task.',
  valuesConfig: {
    CREATED: { description: 'The task was created (its first event, version 1).' },
    UPDATED: { description: 'Its word, phase and/or log changed.' },
    DELETED: { description: 'The task was deleted: its last event; `task` is null, `taskId` names it, its history stays.' },
  },
});

/** One committed change of a task (its creation included): its history and the feeds' source. */
@Entity({ name: 'task_events' })
@Index('uq_task_events_task_version', ['taskUuid', 'version'], { unique: true })
@Index('idx_task_events_status', ['status', 'id'])
@Index('idx_task_events_stage', ['stage', 'id'])
@ObjectType('TaskEvent', { description: 'One committed change of a task; ids grow monotonically.' })
export class TaskEventEntity {
  @Field(() => ID, { description: 'Event id; pass the last one seen as `after` to resume a feed.' })
  @PrimaryGeneratedColumn({ type: 'bigint' })
  id: string;

  @Field(() => ID, { name: 'taskId', description: 'Id of the task changed; still there once the task is deleted.' })
  @Column({ name: 'task_uuid', type: 'varchar', length: 36 })
  taskUuid: string;

  @Field(() => TaskEventKind)
  @Column({ type: 'varchar', length: 16 })
  kind: TaskEventKind;

  @Field(() => Int, { description: 'The task version this change produced.' })
  @Column({ type: 'integer' })
  version: number;

  @Field(() => TaskStatus, { description: 'The phase after the change (for a deletion: the phase the task was in).' })
  @Column({ type: 'varchar', length: 16 })
  status: TaskStatus;

  @Field(() => TaskStatus, { nullable: true, description: 'Phase before the change; null for the creation.' })
  @Column({ name: 'previous_status', type: 'varchar', length: 16, nullable: true })
  previousStatus: TaskStatus | null;

  @Field(() => String, { description: 'The status word after the change (for a deletion: the word the task had).' })
  @Column({ type: 'varchar', length: 64 })
  stage: string;

  @Field(() => String, { nullable: true, description: 'The status word before the change; null for the creation.' })
  @Column({ name: 'previous_stage', type: 'varchar', length: 64, nullable: true })
  previousStage: string | null;

  /** GraphQL `log` is resolved in TaskEventResolver (a big log is read only when selected). LONGTEXT on MySQL. */
  @Column({ type: 'text', nullable: true })
  log: string | null;

  /** True when `log` was left in the database (too big to carry along): load it by event id. */
  logDeferred?: boolean;

  /** Size of the log in bytes, as read. */
  logBytes?: number;

  @Field(() => Date)
  @Column({ name: 'changed_at', type: 'datetime', precision: 3 })
  at: Date;

  @Field({ description: 'Id of the user who made the change.' })
  @Column({ name: 'changed_by', type: 'varchar', length: 128 })
  by: string;
}

export type TaskEvent = Pick<TaskEventEntity, keyof TaskEventEntity>;
