import type DataLoader from 'dataloader';
import type { AnswerBudget } from './graphql/answer-budget';
import type { Task } from './tasks/task.entity';
import type { TaskEvent } from './tasks/task-event.entity';
import type { TaskService } from './tasks/task.service';

/** Who is calling. `role` decides whether they may write. */
export interface Caller {
  id: string;
  role: 'read' | 'write';
}

/** Per-request GraphQL context: the caller, the task service and request-scoped batch loaders. */
export interface Context {
  caller: Caller;
  tasks: TaskService;
  loaders: {
    task: DataLoader<string, Task | null>;
    /** Keyed by `${first}:${uuid}` so tasks asking for different history lengths still batch. */
    history: DataLoader<string, TaskEvent[]>;
  };
  /** Bytes of logs this answer may still carry (TASKGATE_MAX_RESPONSE_BYTES; graphql/answer-budget.ts). */
  answer: AnswerBudget;
}
