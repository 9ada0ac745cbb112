import type DataLoader from 'dataloader';
import type { AnswerBudget } from './graphql/answer-budget';
import type { SignatureProof } from './auth/proof';
import type { Task } from './tasks/task.entity';
import type { TaskEvent } from './tasks/task-event.entity';
import type { TaskService } from './tasks/task.service';

/** Who is calling. `role` decides whether they may write. */
export interface Caller {
  id: string;
  role: 'read' | 'write';
  /**
   * How a signed request proved itself (src/auth/proof.ts): the key, and the one-use claim on
   * its signature that a write must make. Absent only with TASKGATE_AUTH=off; a signed door
   * refuses a write whose caller has none.
   */
  readonly proof?: SignatureProof;
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
