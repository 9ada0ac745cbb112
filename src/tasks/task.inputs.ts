import { ArgsType, Field, ID, InputType, Int } from 'type-graphql';
import type { Task } from './task.entity';
import { TaskStatus } from './task-status';

@InputType({ description: 'A new task. created.by is the authenticated user, never taken from input.' })
export class CreateTaskInput implements Partial<Pick<Task, 'description' | 'status' | 'type' | 'objectUuid' | 'log'>> {
  @Field(() => ID, { nullable: true, description: 'Uuid for the task; generated (v4) when absent.' })
  id?: string | null;

  @Field({ description: '1 to 1024 characters.' })
  description: string;

  @Field(() => TaskStatus, { nullable: true, description: 'PENDING (default) or IN_PROGRESS; with `stage`, the phase of that word.' })
  status?: TaskStatus;

  @Field(() => String, {
    nullable: true,
    description: 'The status word to start with (e.g. received); its phase (PENDING or IN_PROGRESS) comes from the phase table. Default: the documented word of `status`.',
  })
  stage?: string | null;

  @Field(() => String, { nullable: true, description: 'Lowercase identifier such as create_instance.' })
  type?: string | null;

  @Field(() => String, { nullable: true, description: 'Uuid of the object the task acts on.' })
  objectUuid?: string | null;

  @Field(() => String, { nullable: true, description: 'Summary of the task, at most TASKGATE_MAX_LOG_BYTES (8 MiB unless configured).' })
  log?: string | null;
}

@InputType({ description: 'A partial change: status and/or stage, log, or both.' })
export class UpdateTaskInput implements Partial<Pick<Task, 'status' | 'log'>> {
  @Field(() => TaskStatus, {
    nullable: true,
    description: 'The new phase. Alone, it keeps the current word when the phase stays, else takes the documented word (pending, in progress, sucess, failed).',
  })
  status?: TaskStatus;

  @Field(() => String, {
    nullable: true,
    description:
      'The new status word (1-64 letters, digits, spaces, _ or -; stored in lower case). Its phase comes from the phase table; with `status` too, they must agree.',
  })
  stage?: string | null;

  @Field(() => String, { nullable: true, description: 'Replaces the task log and is kept in its history.' })
  log?: string | null;
}

@ArgsType()
export class TasksArgs {
  @Field(() => TaskStatus, { nullable: true, description: 'Only tasks in this phase.' })
  status?: TaskStatus;

  @Field(() => String, { nullable: true, description: 'Only tasks whose status word is this one (any case).' })
  stage?: string | null;

  @Field(() => String, { nullable: true })
  type?: string | null;

  @Field(() => String, { nullable: true })
  objectUuid?: string | null;

  @Field(() => Int, { nullable: true, description: 'Page size; default 50, at most the server limit (500 unless configured).' })
  first?: number | null;

  @Field(() => String, { nullable: true, description: 'endCursor of the previous page.' })
  after?: string | null;
}
