import type { Database } from '../db/database';

/**
 * The one place the tables' columns are listed for the hand-written SQL (tasks/task.store.ts,
 * events/event-store.ts); the migrations in src/db/migrations create them. Reads take `log`
 * through `deferredLog`, writes take every column but the generated event `id`.
 */
export const taskColumns = ['uuid', 'description', 'status', 'stage', 'type', 'object_uuid', 'created_at', 'created_by', 'last_update', 'log', 'version'] as const;
export const eventColumns = ['id', 'task_uuid', 'kind', 'version', 'status', 'previous_status', 'stage', 'previous_stage', 'log', 'changed_at', 'changed_by'] as const;

/**
 * Logs up to this many bytes are read along with their row; a bigger one (up to several MB) is
 * left in the database and read by id only when someone asks for it (GraphQL `log`, a legacy
 * read), so listings, histories and feeds do not copy big logs nobody selected.
 */
export const inlineLogBytes = 65_536;

/** The log column read as described above: inline when small, else NULL with its size (OCTET_LENGTH: SQLite 3.43+, MySQL, MariaDB). */
export function deferredLog(column: string): string {
  return `CASE WHEN OCTET_LENGTH(${column}) > ${inlineLogBytes} THEN NULL ELSE ${column} END AS log, OCTET_LENGTH(${column}) AS log_bytes`;
}

/** A SELECT list of `columns`, `log` deferred, each prefixed with the table's alias when one is given. */
export function selectList(columns: readonly string[], alias?: string): string {
  const named = (column: string) => (alias ? `${alias}.${column}` : column);
  return columns.map((column) => (column === 'log' ? deferredLog(named(column)) : named(column))).join(', ');
}

/**
 * The tasks' log read as deferredLog describes, without touching a big one: the size comes from
 * the stored `log_bytes` (migration StoredLogBytes), and the log from a lookup by key that only
 * matches when it is small. Any mention of `log` in the outer SELECT list, even inside a CASE
 * that discards it, makes InnoDB read every off-page LONGTEXT the query passes (200 rows of 1 MB:
 * about 600-1,200 ms against 3 ms, bench/PROFILE.md scenario 11); the subquery reads only the
 * rows it returns. `table` is how the outer query names `tasks`.
 */
export function storedLog(table = 'tasks'): string {
  return (
    `(SELECT inline_log.log FROM tasks inline_log WHERE inline_log.uuid = ${table}.uuid AND ${table}.log_bytes <= ${inlineLogBytes}) AS log, ` +
    `${table}.log_bytes AS log_bytes`
  );
}

/** The SELECT list of the tasks' columns for reads outside a write transaction: `log` through storedLog. */
export function taskReadList(): string {
  return taskColumns.map((column) => (column === 'log' ? storedLog() : `tasks.${column}`)).join(', ');
}

/** The columns an INSERT writes: all of them but the generated `id`. */
export function insertList(columns: readonly string[]): string {
  return columns.filter((column) => column !== 'id').join(', ');
}

/** The id of the latest committed event; 0 when there is none (the feeds' and GraphQL `lastEventId`'s one query). */
export async function lastEventId(db: Database): Promise<number> {
  const rows = await db.select('SELECT MAX(id) AS last FROM task_events');
  return Number(rows[0]?.last ?? 0);
}
