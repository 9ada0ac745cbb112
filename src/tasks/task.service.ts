import { randomUUID } from 'node:crypto';
import { isDuplicateKey } from '../db/database';
import type { Database } from '../db/database';
import type { Task } from './task.entity';
import type { TaskEvent } from './task-event.entity';
import { badInput, invalidTransition, taskAlreadyExists, taskNotFound, versionConflict } from './task.errors';
import { canTransition, initialStatuses, TaskStatus } from './task-status';
import { type TaskFilter, type TaskPosition, TaskStore } from './task.store';
import { descriptionField, logField, typeField, uuidField } from './task.validation';

export interface NewTask {
  id?: string | null;
  description: string;
  status?: TaskStatus | null;
  type?: string | null;
  objectUuid?: string | null;
  log?: string | null;
}

export interface TaskChange {
  status?: TaskStatus | null;
  log?: string | null;
}

/** A committed change: the task as stored and the event that records it. */
export interface CommittedChange {
  task: Task;
  event: TaskEvent;
}

export interface TaskPage {
  tasks: Task[];
  hasNextPage: boolean;
}

/** Told of every change once it has committed (never before, never for a rollback). */
export type ChangeListener = (change: CommittedChange) => void;

/** How often a conditional update is tried again when another writer got there first. */
const maxUpdateAttempts = 5;

/**
 * The task service: every business rule of taskgate lives here (validation, the state
 * machine, optimistic concurrency, history, announcing committed changes). The GraphQL
 * resolvers call it; nothing else writes tasks.
 */
export class TaskService {
  private readonly store: TaskStore;
  private readonly listeners: ChangeListener[] = [];

  constructor(
    private readonly db: Database,
    private readonly options: { maxPageSize: number; maxHistory?: number },
  ) {
    this.store = new TaskStore(db);
  }

  onCommitted(listener: ChangeListener): void {
    this.listeners.push(listener);
  }

  /**
   * The latest committed event id. Ids are handed out in commit order, so a read made after this
   * reflects every event up to it: read this, then the tasks, then subscribe `after` it, and no
   * change falls between the snapshot and the feed.
   */
  async lastEventId(): Promise<string> {
    return String(await this.store.lastEventId());
  }

  async getTask(id: string): Promise<Task | null> {
    return this.store.findById(uuidField('id', id));
  }

  /** Tasks by id, in the order asked, null where absent (for batch loaders). */
  async getTasks(ids: readonly string[]): Promise<(Task | null)[]> {
    const found = new Map((await this.store.findByIds(ids)).map((task) => [task.uuid, task]));
    return ids.map((id) => found.get(id) ?? null);
  }

  async listTasks(filter: TaskFilter, first: number, after?: TaskPosition): Promise<TaskPage> {
    if (!Number.isInteger(first) || first < 0 || first > this.options.maxPageSize) {
      throw badInput('first', `must be between 0 and ${this.options.maxPageSize}`);
    }
    const checked = this.checkFilter(filter);
    if (first === 0) return { tasks: [], hasNextPage: (await this.store.list(checked, 1, after)).length > 0 };
    // One row more than asked tells whether another page follows without a second query.
    const rows = await this.store.list(checked, first + 1, after);
    return { tasks: rows.slice(0, first), hasNextPage: rows.length > first };
  }

  async countTasks(filter: TaskFilter): Promise<number> {
    return this.store.count(this.checkFilter(filter));
  }

  async historyOf(ids: readonly string[], first: number): Promise<Map<string, TaskEvent[]>> {
    const cap = this.options.maxHistory ?? this.options.maxPageSize;
    if (!Number.isInteger(first) || first < 0 || first > cap) throw badInput('first', `must be between 0 and ${cap}`);
    return this.store.historyOf(ids, first);
  }

  async createTask(input: NewTask, by: string): Promise<CommittedChange> {
    const now = new Date();
    const status = input.status ?? TaskStatus.PENDING;
    if (!initialStatuses.includes(status)) {
      throw badInput('status', `a new task starts as ${initialStatuses.join(' or ')}`);
    }
    const task: Task = {
      uuid: input.id != null ? uuidField('id', input.id) : randomUUID(),
      description: descriptionField(input.description),
      status,
      type: input.type != null ? typeField(input.type) : null,
      objectUuid: input.objectUuid != null ? uuidField('objectUuid', input.objectUuid) : null,
      created: { at: now, by },
      lastUpdate: now,
      log: input.log != null ? logField(input.log) : null,
      version: 1,
    };
    const committed = await this.db
      .transaction(async (tx) => {
        await this.store.insert(tx, task);
        const event = await this.store.appendEvent(tx, eventFor(task, null, by));
        return { task, event };
      })
      .catch((error: unknown) => {
        throw isDuplicateKey(error) ? taskAlreadyExists(task.uuid) : error;
      });
    this.announce(committed);
    return committed;
  }

  /**
   * Applies a partial change. The write is conditional on the version read, so two writers
   * can never overwrite each other: the loser re-reads and re-checks the rules, or, when the
   * caller named an expectedVersion, gets VERSION_CONFLICT. Nothing is written on refusal.
   */
  async updateTask(id: string, change: TaskChange, by: string, expectedVersion?: number | null): Promise<CommittedChange> {
    const uuid = uuidField('id', id);
    if (change.status == null && change.log == null) throw badInput('input', 'give a status, a log, or both');
    const log = change.log != null ? logField(change.log) : null;
    if (expectedVersion != null && (!Number.isInteger(expectedVersion) || expectedVersion < 1)) {
      throw badInput('expectedVersion', 'must be a positive whole number');
    }
    for (let attempt = 1; ; attempt++) {
      const committed = await this.db.transaction(async (tx) => {
        const current = await this.store.lockById(tx, uuid);
        if (!current) throw taskNotFound(uuid);
        if (expectedVersion != null && current.version !== expectedVersion) {
          throw versionConflict(expectedVersion, current.version);
        }
        const status = change.status ?? current.status;
        if (!canTransition(current.status, status)) throw invalidTransition(current.status, status);
        const next: Task = {
          ...current,
          status,
          log: log ?? current.log,
          lastUpdate: new Date(),
          version: current.version + 1,
        };
        if (!(await this.store.updateIfVersion(tx, next, current.version))) return null;
        const event = await this.store.appendEvent(tx, eventFor(next, current.status, by, log));
        return { task: next, event };
      });
      if (committed) {
        this.announce(committed);
        return committed;
      }
      if (attempt >= maxUpdateAttempts) {
        const latest = await this.store.findById(uuid);
        throw versionConflict(expectedVersion ?? latest?.version ?? 0, latest?.version ?? 0);
      }
    }
  }

  private checkFilter(filter: TaskFilter): TaskFilter {
    return {
      status: filter.status ?? undefined,
      type: filter.type != null ? typeField(filter.type) : undefined,
      objectUuid: filter.objectUuid != null ? uuidField('objectUuid', filter.objectUuid) : undefined,
    };
  }

  private announce(change: CommittedChange): void {
    for (const listener of this.listeners) listener(change);
  }
}

function eventFor(task: Task, previousStatus: TaskStatus | null, by: string, log: string | null = task.log): Omit<TaskEvent, 'id'> {
  return {
    taskUuid: task.uuid,
    version: task.version,
    status: task.status,
    previousStatus,
    log,
    at: task.lastUpdate,
    by,
  };
}
