import { Field, Int, ObjectType } from 'type-graphql';
import { formatDbTime, parseDbTime } from '../db/database';
import { TaskEntity, type Task } from './task.entity';
import { badInput } from './task.errors';
import type { TaskFilter, TaskPosition } from './task.store';

@ObjectType()
export class TaskEdge {
  @Field()
  cursor: string;

  @Field(() => TaskEntity)
  node: Task;
}

@ObjectType()
export class PageInfo {
  @Field()
  hasNextPage: boolean;

  @Field(() => String, { nullable: true })
  endCursor: string | null;
}

@ObjectType({ description: 'A page of tasks in creation order (creation time, then id).' })
export class TaskConnection {
  @Field(() => [TaskEdge])
  edges: TaskEdge[];

  @Field(() => PageInfo)
  pageInfo: PageInfo;

  /** The listing's filter, kept for the totalCount resolver (counted only when asked for). */
  filter: TaskFilter;

  @Field(() => Int, { description: 'Tasks matching the filters, across all pages.' })
  totalCount?: number;
}

/** Cursors are opaque to clients: base64url of the creation time and uuid of the last row. */
export function encodeCursor(task: Task): string {
  return Buffer.from(`${formatDbTime(task.created.at)}|${task.uuid}`).toString('base64url');
}

export function decodeCursor(cursor: string): TaskPosition {
  const [at, uuid] = Buffer.from(cursor, 'base64url').toString('utf8').split('|');
  const createdAt = at ? parseDbTime(at) : new Date(NaN);
  if (!uuid || Number.isNaN(createdAt.getTime()) || !/^[0-9a-f-]{36}$/.test(uuid)) {
    throw badInput('after', 'is not a cursor this server gave out');
  }
  return { createdAt, uuid };
}
