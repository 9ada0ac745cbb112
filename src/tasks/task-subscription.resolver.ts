import { GraphQLError } from 'graphql';
import { Args, ArgsType, Ctx, Field, ID, Query, Resolver, Root, Subscription, type SubscribeResolverData } from 'type-graphql';
import type { Context } from '../context';
import type { SubscriptionContext } from '../events/feed-context';
import type { FeedFilter } from '../events/feed-event';
import { TaskEventEntity, type TaskEvent } from './task-event.entity';
import { badInput } from './task.errors';
import { TaskStatus } from './task-status';
import { stageField, typeField, uuidField } from './task.validation';

@ArgsType()
export class TaskFeedArgs {
  @Field(() => ID, { nullable: true, description: 'Only this task.' })
  id?: string | null;

  @Field(() => TaskStatus, { nullable: true, description: 'Only events that leave the task in this phase.' })
  status?: TaskStatus | null;

  @Field(() => String, { nullable: true, description: 'Only events that leave the task with this status word (any case).' })
  stage?: string | null;

  @Field(() => String, { nullable: true, description: 'Only tasks of this type.' })
  type?: string | null;

  @Field(() => ID, {
    nullable: true,
    description: 'Replay every matching event with a greater id first, in order, then go live; without it the feed starts live.',
  })
  after?: string | null;
}

/** Subscriptions are served over WebSocket (graphql-ws); each is a filtered view of the event feed. */
@Resolver()
export class TaskSubscriptionResolver {
  @Query(() => ID, {
    description:
      'The id of the latest committed task event ("0" when none). Read it before loading tasks, then subscribe with `after` it: nothing that changes in between is missed.',
  })
  lastEventId(@Ctx() context: Context): Promise<string> {
    return context.tasks.lastEventId();
  }

  @Subscription(() => TaskEventEntity, {
    description: 'One event per committed change of word or phase (creations and deletions included; not log-only updates), in id order, each once.',
    subscribe: (data: SubscribeResolverData<unknown, TaskFeedArgs, SubscriptionContext>) => openFeed(data, true),
  })
  taskStatusChanged(@Root() event: TaskEvent, @Args() _args: TaskFeedArgs): TaskEvent {
    return event;
  }

  @Subscription(() => TaskEventEntity, {
    description: 'Every committed change: creations, changes of word or phase, log-only updates and deletions; in id order, each once.',
    subscribe: (data: SubscribeResolverData<unknown, TaskFeedArgs, SubscriptionContext>) => openFeed(data, false),
  })
  taskUpdated(@Root() event: TaskEvent, @Args() _args: TaskFeedArgs): TaskEvent {
    return event;
  }
}

function openFeed({ args, context }: SubscribeResolverData<unknown, TaskFeedArgs, SubscriptionContext>, statusChangesOnly: boolean) {
  if (!context.feed) {
    throw new GraphQLError('subscriptions are served over WebSocket (graphql-ws) at /graphql', { extensions: { code: 'BAD_REQUEST' } });
  }
  const a = args as TaskFeedArgs;
  const filter: FeedFilter = { statusChangesOnly };
  if (a.id != null) filter.taskUuid = uuidField('id', a.id);
  if (a.status != null) filter.status = a.status;
  if (a.stage != null) filter.stage = stageField('stage', a.stage);
  if (a.type != null) filter.type = typeField(a.type);
  let after: number | null = null;
  if (a.after != null) {
    if (!/^\d{1,15}$/.test(a.after)) throw badInput('after', 'must be an event id (a whole number)');
    after = Number(a.after);
  }
  return context.feed.subscribe(filter, after);
}
