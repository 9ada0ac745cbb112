import type { Database } from '../db/database';
import { TaskEventKind } from '../tasks/task-event.entity';
import { deferredLog, toEvent } from '../tasks/task.store';
import { type FeedEvent, type FeedFilter, toFeedEvent } from './feed-event';

// Big logs stay in the database (deferredLog): a replay never reads a multi-MB log nobody selected.
const columns = `e.id, e.task_uuid, e.kind, e.version, e.status, e.previous_status, e.stage, e.previous_stage, ${deferredLog('e.log')}, e.changed_at, e.changed_by, t.type AS task_type`;

/**
 * Reads of `task_events` for the feeds. Event ids are handed out in commit order, so
 * "every event after N" read at any moment is a gap-free prefix of what will ever commit.
 */
export class EventStore {
  constructor(private readonly db: Database) {}

  async lastId(): Promise<number> {
    const rows = await this.db.select('SELECT MAX(id) AS last FROM task_events');
    return Number(rows[0]?.last ?? 0);
  }

  /** Up to `limit` events with an id above `after`, matching `filter` when given, in id order. */
  async after(after: number, limit: number, filter?: FeedFilter): Promise<FeedEvent[]> {
    const where = ['e.id > ?'];
    const params: unknown[] = [after];
    if (filter?.statusChangesOnly) {
      // Not a log-only update (feed-event.ts isLogOnly): creations, deletions, changes of word or phase.
      where.push(`(e.kind <> '${TaskEventKind.UPDATED}' OR e.previous_status <> e.status OR e.previous_stage <> e.stage)`);
    }
    if (filter?.taskUuid !== undefined) (where.push('e.task_uuid = ?'), params.push(filter.taskUuid));
    if (filter?.status !== undefined) (where.push('e.status = ?'), params.push(filter.status));
    if (filter?.stage !== undefined) (where.push('e.stage = ?'), params.push(filter.stage));
    if (filter?.type !== undefined) (where.push('t.type = ?'), params.push(filter.type));
    const rows = await this.db.select(
      `SELECT ${columns} FROM task_events e LEFT JOIN tasks t ON t.uuid = e.task_uuid WHERE ${where.join(' AND ')} ORDER BY e.id LIMIT ${Math.trunc(limit)}`,
      params,
    );
    return rows.map((row) => toFeedEvent(toEvent(row), (row.task_type as string | null) ?? null));
  }
}
