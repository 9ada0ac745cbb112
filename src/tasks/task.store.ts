import { type Database, formatDbTime, parseDbTime, type Row, type Transaction } from '../db/database';
import { eventColumns, insertList, lastEventId, selectList, taskColumns, taskReadList } from './columns';
import type { Task } from './task.entity';
import type { TaskEvent, TaskEventKind } from './task-event.entity';
import type { TaskStatus } from './task-status';
import { andThen, type MaybePromise } from '../lib/maybe-promise';

/** Filters of a task listing; all optional, combined with AND. */
export interface TaskFilter {
  status?: TaskStatus;
  /** The status word (normalised). */
  stage?: string;
  type?: string;
  objectUuid?: string;
}

/** Position in the listing order (creation time, then uuid). */
export interface TaskPosition {
  createdAt: Date;
  uuid: string;
}

export { deferredLog, inlineLogBytes } from './columns';

const insertColumns = insertList(taskColumns);
/**
 * Reads inside a write transaction (lockById) keep computing the size from `log`: the stored size
 * is read through a second, unlocking lookup in taskRead, which must not see an older row than
 * the locked one. Every other read uses taskRead and never touches a big log.
 */
const taskSelect = selectList(taskColumns);
const taskRead = taskReadList();
const eventSelect = selectList(eventColumns);

/** Every SQL statement about tasks and their events. No rules here: the service owns them. */
export class TaskStore {
  constructor(private readonly db: Database) {}

  /** The id of the latest committed event; 0 when there is none. */
  async lastEventId(): Promise<number> {
    return lastEventId(this.db);
  }

  findById(uuid: string): MaybePromise<Task | null> {
    return andThen(this.db.select(`SELECT ${taskRead} FROM tasks WHERE uuid = ?`, [uuid]), (rows) => (rows.length ? toTask(rows[0]) : null));
  }

  async findByIds(uuids: readonly string[]): Promise<Task[]> {
    if (uuids.length === 0) return [];
    const rows = await this.db.select(
      `SELECT ${taskRead} FROM tasks WHERE uuid IN (${placeholders(uuids.length)})`,
      [...uuids],
    );
    return rows.map(toTask);
  }

  /** Whole logs of several tasks. */
  async logsOf(uuids: readonly string[]): Promise<Map<string, string | null>> {
    if (uuids.length === 0) return new Map();
    const rows = await this.db.select(`SELECT uuid, log FROM tasks WHERE uuid IN (${placeholders(uuids.length)})`, [...uuids], true);
    return new Map(rows.map((row) => [row.uuid as string, (row.log as string | null) ?? null]));
  }

  /** The whole log an event recorded. */
  async eventLogOf(id: string): Promise<string | null> {
    const rows = await this.db.select('SELECT log FROM task_events WHERE id = ?', [id], true);
    return (rows[0]?.log as string | null | undefined) ?? null;
  }

  /** Up to `limit` tasks after `after` in creation order. */
  async list(filter: TaskFilter, limit: number, after?: TaskPosition): Promise<Task[]> {
    const { where, params } = whereClause(filter);
    if (after) {
      // Written so both databases seek the (…, created_at, uuid) index to the position instead of
      // scanning it from the start (the plain OR form made every later page slower: O(n²) walks).
      where.push('created_at >= ? AND (created_at > ? OR uuid > ?)');
      const at = formatDbTime(after.createdAt);
      params.push(at, at, after.uuid);
    }
    const sql =
      `SELECT ${taskRead} FROM tasks` +
      (where.length ? ` WHERE ${where.join(' AND ')}` : '') +
      ` ORDER BY created_at, uuid LIMIT ${Math.trunc(limit)}`;
    return (await this.db.select(sql, params)).map(toTask);
  }

  async count(filter: TaskFilter): Promise<number> {
    const { where, params } = whereClause(filter);
    const rows = await this.db.select(
      `SELECT COUNT(*) AS n FROM tasks` + (where.length ? ` WHERE ${where.join(' AND ')}` : ''),
      params,
    );
    return Number(rows[0]?.n ?? 0);
  }

  /** The first `limitPerTask` events of each task, oldest first, in one query. */
  async historyOf(uuids: readonly string[], limitPerTask: number): Promise<Map<string, TaskEvent[]>> {
    const history = new Map<string, TaskEvent[]>(uuids.map((uuid) => [uuid, []]));
    if (uuids.length === 0) return history;
    const rows = await this.db.select(
      `SELECT ${eventSelect} FROM task_events WHERE task_uuid IN (${placeholders(uuids.length)}) AND version <= ? ORDER BY task_uuid, version`,
      [...uuids, Math.trunc(limitPerTask)],
    );
    for (const row of rows) history.get(String(row.task_uuid))?.push(toEvent(row));
    return history;
  }

  // --- inside a write transaction ---

  async lockById(tx: Transaction, uuid: string): Promise<Task | null> {
    const rows = await tx.select(`SELECT ${taskSelect} FROM tasks WHERE uuid = ?${this.db.dialect.forUpdate}`, [uuid]);
    return rows.length ? toTask(rows[0]) : null;
  }

  async insert(tx: Transaction, task: Task): Promise<void> {
    await tx.write(
      `INSERT INTO tasks (${insertColumns}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      [
        task.uuid,
        task.description,
        task.status,
        task.stage,
        task.type,
        task.objectUuid,
        task.created.at,
        task.created.by,
        task.lastUpdate,
        task.log,
        task.version,
      ],
    );
  }

  /**
   * Writes `next` over `current` only if the stored row is still at `current.version`; false when
   * it moved on. Only what changes is assigned: the log when the change brings one (`newLog`: a
   * word change leaves a big log where it is), status and stage when they differ. SQLite rewrites
   * the entries of every index holding an assigned column even when its value stays (status and
   * stage each lead one): a log-only write cost about 25 µs more with them (bench scenario 4).
   */
  async updateIfVersion(tx: Transaction, next: Task, current: Task, newLog: string | null): Promise<boolean> {
    const assigned: string[] = [];
    const params: unknown[] = [];
    if (next.status !== current.status) (assigned.push('status = ?'), params.push(next.status));
    if (next.stage !== current.stage) (assigned.push('stage = ?'), params.push(next.stage));
    if (newLog !== null) (assigned.push('log = ?'), params.push(newLog));
    const result = await tx.write(`UPDATE tasks SET ${assigned.join(', ')}${assigned.length ? ', ' : ''}last_update = ?, version = ? WHERE uuid = ? AND version = ?`, [
      ...params,
      next.lastUpdate,
      next.version,
      next.uuid,
      current.version,
    ]);
    return result.affected === 1;
  }

  /**
   * updateIfVersion, then appendEvent (`event` records `next`, with `newLog` as its log): the
   * transaction's last step, and null (nothing written) when the row moved on. On MySQL/MariaDB
   * both statements and the COMMIT go in one round trip (migration EventCommitProcedure).
   */
  async updateAndAppendEvent(tx: Transaction, next: Task, current: Task, newLog: string | null, event: Omit<TaskEvent, 'id'>): Promise<TaskEvent | null> {
    if (tx.commitWith) {
      const rows = await tx.commitWith('CALL update_task_append_event_and_commit(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)', [
        next.uuid,
        current.version,
        next.status,
        next.stage,
        newLog,
        next.lastUpdate,
        next.version,
        event.kind,
        event.previousStatus,
        event.previousStage,
        event.by,
      ]);
      return rows.length ? { ...event, id: String(rows[0].id) } : null;
    }
    if (!(await this.updateIfVersion(tx, next, current, newLog))) return null;
    return this.appendEvent(tx, event);
  }

  /** Removes the task row (its events stay: they are the audit trail); false when it moved on. */
  async deleteIfVersion(tx: Transaction, uuid: string, expectedVersion: number): Promise<boolean> {
    const result = await tx.write('DELETE FROM tasks WHERE uuid = ? AND version = ?', [uuid, expectedVersion]);
    return result.affected === 1;
  }

  /**
   * Must be the transaction's last write: the clock row stays locked until commit (see the
   * EventClock migration). One statement locks the clock row (FOR UPDATE) and inserts the event
   * from it, so the id is handed out under the lock as before, with one round trip less inside
   * the section every write passes through one at a time (bench scenario 4, bench/PROFILE.md).
   */
  async appendEvent(tx: Transaction, event: Omit<TaskEvent, 'id'>): Promise<TaskEvent> {
    const values = [event.taskUuid, event.kind, event.version, event.status, event.previousStatus, event.stage, event.previousStage, event.log, event.at, event.by];
    if (tx.commitWith) {
      // MySQL/MariaDB: the same INSERT and the COMMIT in one round trip (migration EventCommitProcedure).
      const rows = await tx.commitWith('CALL append_task_event_and_commit(?, ?, ?, ?, ?, ?, ?, ?, ?, ?)', values);
      return { ...event, id: String(rows[0].id) };
    }
    const result = await tx.write(
      `INSERT INTO task_events (${insertList(eventColumns)}) ` +
        `SELECT ?, ?, ?, ?, ?, ?, ?, ?, ?, ? FROM task_event_clock WHERE id = 1${this.db.dialect.forUpdate}`,
      values,
    );
    // No clock row (a damaged database) would silently drop the event: refuse the write instead.
    if (result.affected !== 1) throw new Error('task_event_clock has no row 1: the event was not recorded');
    return { ...event, id: String(result.insertId) };
  }
}

function whereClause(filter: TaskFilter): { where: string[]; params: unknown[] } {
  const where: string[] = [];
  const params: unknown[] = [];
  if (filter.status) (where.push('status = ?'), params.push(filter.status));
  if (filter.stage) (where.push('stage = ?'), params.push(filter.stage));
  if (filter.type) (where.push('type = ?'), params.push(filter.type));
  if (filter.objectUuid) (where.push('object_uuid = ?'), params.push(filter.objectUuid));
  return { where, params };
}

function placeholders(n: number): string {
  return new Array(n).fill('?').join(', ');
}

export function toTask(row: Row): Task {
  return {
    uuid: row.uuid as string,
    description: row.description as string,
    status: row.status as TaskStatus,
    stage: row.stage as string,
    type: (row.type as string | null) ?? null,
    objectUuid: (row.object_uuid as string | null) ?? null,
    created: { at: parseDbTime(row.created_at), by: row.created_by as string },
    lastUpdate: parseDbTime(row.last_update),
    ...logOfRow(row),
    version: Number(row.version),
  };
}

/** The log of a row read with deferredLog(): inline, or null and deferred with its size. */
function logOfRow(row: Row): { log: string | null; logDeferred?: boolean; logBytes: number } {
  const bytes = Number(row.log_bytes ?? 0);
  if (row.log == null && bytes > 0) return { log: null, logDeferred: true, logBytes: bytes };
  return { log: (row.log as string | null) ?? null, logBytes: bytes };
}

export function toEvent(row: Row): TaskEvent {
  return {
    id: String(row.id),
    taskUuid: row.task_uuid as string,
    kind: row.kind as TaskEventKind,
    version: Number(row.version),
    status: row.status as TaskStatus,
    previousStatus: (row.previous_status as TaskStatus | null) ?? null,
    stage: row.stage as string,
    previousStage: (row.previous_stage as string | null) ?? null,
    ...logOfRow(row),
    at: parseDbTime(row.changed_at),
    by: row.changed_by as string,
  };
}
