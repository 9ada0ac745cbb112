import { randomUUID } from 'node:crypto';
import DataLoader from 'dataloader';
import { isDuplicateKey } from '../db/database';
import type { Database } from '../db/database';
import type { Task } from './task.entity';
import { type TaskEvent, TaskEventKind } from './task-event.entity';
import { badInput, invalidTransition, taskAlreadyExists, taskIdRetired, taskNotFound, versionConflict } from './task.errors';
import { canTransition, initialStatuses, TaskStatus } from './task-status';
import { documentedWordOf, PhaseTable } from './status-words';
import { type TaskFilter, type TaskPosition, TaskStore } from './task.store';
import { descriptionField, limits, logField, stageField, typeField, uuidField } from './task.validation';
import type { MaybePromise } from '../lib/maybe-promise';

export interface NewTask {
  id?: string | null;
  description: string;
  /** The phase; with `stage` it must be the word's phase. */
  status?: TaskStatus | null;
  /** The status word; its phase comes from the phase table. */
  stage?: string | null;
  type?: string | null;
  objectUuid?: string | null;
  log?: string | null;
}

export interface TaskChange {
  status?: TaskStatus | null;
  stage?: string | null;
  log?: string | null;
}

export interface TaskServiceOptions {
  maxPageSize: number;
  maxHistory?: number;
  /** Which phase each status word belongs to (default: the built-in table, unknown words IN_PROGRESS). */
  phases?: PhaseTable;
  /** Largest log in UTF-8 bytes (TASKGATE_MAX_LOG_BYTES). */
  maxLogBytes?: number;
  /** A listing page stops early once its logs pass this many bytes (always at least one task). */
  pageLogBytes?: number;
  /** Told of each committed write whose word is in no table (the unknown-words metric). */
  onUnknownWord?: (word: string) => void;
}

/** Eight MiB of logs per listing page: a streamed GET /tasks/ holds about two pages. */
const defaultPageLogBytes = 8 * 1024 * 1024;

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

  private readonly phases: PhaseTable;
  private readonly maxLogBytes: number;
  /** Whole logs loaded for a task or event read without them, shared by everyone resolving that object. */
  private readonly loadedLogs = new WeakMap<object, Promise<string | null>>();
  /**
   * Big logs asked for in the same turn (a page of them in a listing) are read two to a query, not
   * one query per task, and those queries run side by side on the pool: the database reads a page
   * of 1 MB logs in about 40 ms that way against 55 in one query (bench scenario 11). No cache:
   * loadedLogs keeps each per task object.
   */
  private readonly bigLogs = new DataLoader<string, string | null>(
    async (uuids) => {
      const logs = await this.store.logsOf(uuids);
      return uuids.map((uuid) => logs.get(uuid) ?? null);
    },
    { cache: false, maxBatchSize: 2 },
  );

  constructor(
    private readonly db: Database,
    private readonly options: TaskServiceOptions,
  ) {
    this.store = new TaskStore(db);
    this.phases = options.phases ?? new PhaseTable();
    this.maxLogBytes = options.maxLogBytes ?? limits.logBytes;
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

  /** Without a promise on SQLite; a malformed id is thrown (graphql-js answers a throw and a rejection alike). */
  getTask(id: string): MaybePromise<Task | null> {
    return this.store.findById(uuidField('id', id));
  }

  /** Tasks by id, in the order asked, null where absent (for batch loaders). */
  async getTasks(ids: readonly string[]): Promise<(Task | null)[]> {
    const found = new Map((await this.store.findByIds(ids)).map((task) => [task.uuid, task]));
    return ids.map((id) => found.get(id) ?? null);
  }

  /**
   * A page of tasks: at most `first`, and fewer when their logs pass the page's byte budget (at
   * least one task per page), so a page of multi-MB logs never holds gigabytes. Big logs are not
   * read here; `logOf` reads each one when a client selects it.
   */
  async listTasks(filter: TaskFilter, first: number, after?: TaskPosition): Promise<TaskPage> {
    if (!Number.isInteger(first) || first < 0 || first > this.options.maxPageSize) {
      throw badInput('first', `must be between 0 and ${this.options.maxPageSize}`);
    }
    const checked = this.checkFilter(filter);
    if (first === 0) return { tasks: [], hasNextPage: (await this.store.list(checked, 1, after)).length > 0 };
    // One row more than asked tells whether another page follows without a second query.
    const rows = await this.store.list(checked, first + 1, after);
    const budget = this.options.pageLogBytes ?? defaultPageLogBytes;
    let bytes = 0;
    let kept = 0;
    while (kept < Math.min(first, rows.length)) {
      bytes += rows[kept].logBytes ?? 0;
      if (kept > 0 && bytes > budget) break;
      kept++;
    }
    return { tasks: rows.slice(0, kept), hasNextPage: rows.length > kept };
  }

  /** A task's whole log: at hand (no promise on the common path), or read once for this task object when it was left in the database. */
  logOf(task: Task): string | null | Promise<string | null> {
    if (!task.logDeferred) return task.log;
    let loaded = this.loadedLogs.get(task);
    if (!loaded) this.loadedLogs.set(task, (loaded = this.bigLogs.load(task.uuid)));
    return loaded;
  }

  /**
   * An event's whole log: at hand, or read once per event object when it was left in the database.
   * The feed hands one object to every subscriber, so a big log is read once per event and only
   * when a subscriber selected `log`.
   */
  eventLogOf(event: TaskEvent): string | null | Promise<string | null> {
    if (!event.logDeferred) return event.log;
    let loaded = this.loadedLogs.get(event);
    if (!loaded) this.loadedLogs.set(event, (loaded = this.store.eventLogOf(event.id)));
    return loaded;
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
    const word = this.wordFor(input.status ?? (input.stage == null ? TaskStatus.PENDING : null), input.stage, null);
    if (!initialStatuses.includes(word.phase)) {
      const field = input.stage != null ? 'stage' : 'status';
      throw badInput(field, `a new task starts as ${initialStatuses.map((phase) => documentedWordOf(phase)).join(' or ')} (or a word of those phases)`);
    }
    const task: Task = {
      uuid: input.id != null ? uuidField('id', input.id) : randomUUID(),
      description: descriptionField(input.description),
      status: word.phase,
      stage: word.stage,
      type: input.type != null ? typeField(input.type) : null,
      objectUuid: input.objectUuid != null ? uuidField('objectUuid', input.objectUuid) : null,
      created: { at: now, by },
      lastUpdate: now,
      log: input.log != null ? logField(input.log, this.maxLogBytes) : null,
      version: 1,
    };
    const committed = await this.db
      .transaction(async (tx) => {
        await this.store.insert(tx, task);
        const event = await this.store.appendEvent(tx, eventFor(TaskEventKind.CREATED, task, null, by));
        return { task, event };
      })
      .catch(async (error: unknown) => {
        if (!isDuplicateKey(error)) throw error;
        // No task has the id, so the duplicate was the first event's (task_uuid, version): the id has the history of a deleted task.
        throw (await this.store.findById(task.uuid)) ? taskAlreadyExists(task.uuid) : taskIdRetired(task.uuid);
      });
    this.announce(committed, word.known);
    return committed;
  }

  /**
   * Applies a partial change. The write is conditional on the version read, so two writers
   * can never overwrite each other: the loser re-reads and re-checks the rules, or, when the
   * caller named an expectedVersion, gets VERSION_CONFLICT. Nothing is written on refusal.
   */
  async updateTask(id: string, change: TaskChange, by: string, expectedVersion?: number | null): Promise<CommittedChange> {
    const uuid = uuidField('id', id);
    if (change.status == null && change.stage == null && change.log == null) throw badInput('input', 'give a status, a log, or both');
    const log = change.log != null ? logField(change.log, this.maxLogBytes) : null;
    // The word is checked before any read: a bad word costs no round trip.
    if (change.stage != null) this.wordFor(change.status ?? null, change.stage, null);
    let known = true;
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
        const word = this.wordFor(change.status ?? null, change.stage ?? null, current);
        known = word.known;
        if (!canTransition(current.status, word.phase)) throw invalidTransition(this.side(current.status, current.stage), this.side(word.phase, word.stage));
        const next: Task = {
          ...current,
          status: word.phase,
          stage: word.stage,
          ...(log !== null ? { log, logDeferred: false, logBytes: Buffer.byteLength(log) } : {}),
          lastUpdate: new Date(),
          version: current.version + 1,
        };
        const event = await this.store.updateAndAppendEvent(tx, next, current, log, eventFor(TaskEventKind.UPDATED, next, current, by, log));
        return event && { task: next, event };
      });
      if (committed) {
        this.announce(committed, known);
        return committed;
      }
      if (attempt >= maxUpdateAttempts) {
        const latest = await this.store.findById(uuid);
        throw versionConflict(expectedVersion ?? latest?.version ?? 0, latest?.version ?? 0);
      }
    }
  }

  /**
   * Deletes a task. Its events stay in task_events (the audit trail) and one more records the
   * deletion (kind DELETED), so every feed sees the task go. TASK_NOT_FOUND when there is none.
   */
  async deleteTask(id: string, by: string): Promise<CommittedChange> {
    const uuid = uuidField('id', id);
    for (let attempt = 1; ; attempt++) {
      const committed = await this.db.transaction(async (tx) => {
        const current = await this.store.lockById(tx, uuid);
        if (!current) throw taskNotFound(uuid);
        if (!(await this.store.deleteIfVersion(tx, uuid, current.version))) return null;
        const gone: Task = { ...current, lastUpdate: new Date(), version: current.version + 1 };
        const event = await this.store.appendEvent(tx, eventFor(TaskEventKind.DELETED, gone, current, by, null));
        return { task: gone, event };
      });
      if (committed) {
        this.announce(committed, true);
        return committed;
      }
      if (attempt >= maxUpdateAttempts) {
        // Every attempt lost to another writer (the row is locked first, so this is rare).
        const latest = await this.store.findById(uuid);
        throw latest ? versionConflict(latest.version, latest.version) : taskNotFound(uuid);
      }
    }
  }

  /** The phase of a (normalised) word, for filters that take either. */
  phaseOfWord(word: string): TaskStatus {
    return this.phases.phaseOf(word).phase;
  }

  /**
   * The word and phase a write ends in. `stage` decides the phase through the table (and must
   * agree with `status` when both are given); `status` alone keeps the current word when the
   * phase stays, else takes the phase's documented word; neither keeps both.
   */
  private wordFor(status: TaskStatus | null | undefined, stage: string | null | undefined, current: Task | null): { phase: TaskStatus; stage: string; known: boolean } {
    if (stage != null) {
      const word = stageField('stage', stage);
      const { phase, known } = this.phases.phaseOf(word);
      if (status != null && status !== phase) throw badInput('stage', (words) => `"${word}" belongs to phase ${words.phase(phase)}, not ${words.phase(status)}`);
      return { phase, stage: word, known };
    }
    if (status != null) return { phase: status, stage: current?.status === status ? current.stage : documentedWordOf(status), known: true };
    if (!current) throw badInput('status', 'give a status');
    return { phase: current.status, stage: current.stage, known: true };
  }

  private side(phase: TaskStatus, word: string) {
    return { phase, word, documented: word === documentedWordOf(phase) };
  }

  private checkFilter(filter: TaskFilter): TaskFilter {
    return {
      status: filter.status ?? undefined,
      stage: filter.stage != null ? stageField('stage', filter.stage) : undefined,
      type: filter.type != null ? typeField(filter.type) : undefined,
      objectUuid: filter.objectUuid != null ? uuidField('objectUuid', filter.objectUuid) : undefined,
    };
  }

  private announce(change: CommittedChange, knownWord: boolean): void {
    if (!knownWord) this.options.onUnknownWord?.(change.task.stage);
    for (const listener of this.listeners) listener(change);
  }
}

function eventFor(kind: TaskEventKind, task: Task, previous: Task | null, by: string, log: string | null = task.log): Omit<TaskEvent, 'id'> {
  return {
    taskUuid: task.uuid,
    kind,
    version: task.version,
    status: task.status,
    previousStatus: previous?.status ?? null,
    stage: task.stage,
    previousStage: previous?.stage ?? null,
    log,
    at: task.lastUpdate,
    by,
  };
}
