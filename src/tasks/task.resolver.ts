import { Arg, Args, Authorized, Ctx, FieldResolver, ID, Int, Mutation, Query, Resolver, Root } from 'type-graphql';
import type { Context } from '../context';
import { writeRole } from '../auth/roles';
import { TaskEntity, type Task } from './task.entity';
import { TaskEventEntity, TaskEventKind, type TaskEvent } from './task-event.entity';
import { CreateTaskInput, TasksArgs, UpdateTaskInput } from './task.inputs';
import { decodeCursor, encodeCursor, TaskConnection } from './task.connection';
import type { MaybePromise } from '../lib/maybe-promise';

const defaultPageSize = 50;
const defaultHistory = 100;

/** Thin: turns GraphQL arguments into service calls and service results into GraphQL types. */
@Resolver(() => TaskEntity)
export class TaskResolver {
  @Query(() => TaskEntity, { nullable: true, description: 'One task by id; null when there is none.' })
  task(@Arg('id', () => ID) id: string, @Ctx() ctx: Context): MaybePromise<Task | null> {
    return ctx.tasks.getTask(id);
  }

  @Query(() => TaskConnection, { description: 'Tasks in creation order, filtered and paged.' })
  async tasks(@Args() args: TasksArgs, @Ctx() ctx: Context): Promise<TaskConnection> {
    const filter = { status: args.status ?? undefined, stage: args.stage ?? undefined, type: args.type ?? undefined, objectUuid: args.objectUuid ?? undefined };
    const page = await ctx.tasks.listTasks(filter, args.first ?? defaultPageSize, args.after ? decodeCursor(args.after) : undefined);
    const edges = page.tasks.map((node) => ({ cursor: encodeCursor(node), node }));
    return {
      edges,
      pageInfo: { hasNextPage: page.hasNextPage, endCursor: edges.at(-1)?.cursor ?? null },
      filter,
    };
  }

  @Authorized(writeRole)
  @Mutation(() => TaskEntity, { description: 'Creates a task; created.by is the caller.' })
  async createTask(@Arg('input', () => CreateTaskInput) input: CreateTaskInput, @Ctx() ctx: Context): Promise<Task> {
    return (await ctx.tasks.createTask(input, ctx.caller.id)).task;
  }

  @Authorized(writeRole)
  @Mutation(() => TaskEntity, {
    description: 'Changes status and/or log. With expectedVersion the change applies only to that version (else VERSION_CONFLICT).',
  })
  async updateTask(
    @Arg('id', () => ID) id: string,
    @Arg('input', () => UpdateTaskInput) input: UpdateTaskInput,
    @Arg('expectedVersion', () => Int, { nullable: true }) expectedVersion: number | null,
    @Ctx() ctx: Context,
  ): Promise<Task> {
    return (await ctx.tasks.updateTask(id, input, ctx.caller.id, expectedVersion)).task;
  }

  @Authorized(writeRole)
  @Mutation(() => TaskEventEntity, {
    description:
      'Deletes a task (write keys only) and answers the event that records it (kind DELETED, task null). Its history stays; every feed sees the deletion. TASK_NOT_FOUND when there is no such task.',
  })
  async deleteTask(@Arg('id', () => ID) id: string, @Ctx() ctx: Context): Promise<TaskEvent> {
    return (await ctx.tasks.deleteTask(id, ctx.caller.id)).event;
  }

  @FieldResolver(() => String, { nullable: true, description: 'Summary of the task, as last reported (up to several MB; read only when selected).' })
  log(@Root() task: Task, @Ctx() ctx: Context): string | null | Promise<string | null> {
    return ctx.tasks.logOf(task);
  }

  @FieldResolver(() => [TaskEventEntity], { description: 'Every change of the task, oldest first (creation included).' })
  history(
    @Root() task: Task,
    @Arg('first', () => Int, { nullable: true, description: 'At most this many events (default 100).' }) first: number | null,
    @Ctx() ctx: Context,
  ): Promise<TaskEvent[]> {
    return ctx.loaders.history.load(`${first ?? defaultHistory}:${task.uuid}`);
  }
}

@Resolver(() => TaskEventEntity)
export class TaskEventResolver {
  @FieldResolver(() => TaskEntity, { nullable: true, description: 'The task as it is now; null once it is deleted (`taskId` still names it).' })
  task(@Root() event: TaskEvent, @Ctx() ctx: Context): Promise<Task | null> {
    if (event.kind === TaskEventKind.DELETED) return Promise.resolve(null);
    return ctx.loaders.task.load(event.taskUuid);
  }

  @FieldResolver(() => String, { nullable: true, description: 'The log this change wrote (null when it wrote none); read only when selected.' })
  log(@Root() event: TaskEvent, @Ctx() ctx: Context): string | null | Promise<string | null> {
    return ctx.tasks.eventLogOf(event);
  }
}

@Resolver(() => TaskConnection)
export class TaskConnectionResolver {
  @FieldResolver(() => Int)
  totalCount(@Root() connection: TaskConnection, @Ctx() ctx: Context): Promise<number> {
    return ctx.tasks.countTasks(connection.filter);
  }
}
