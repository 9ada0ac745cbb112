import type { DataSource } from 'typeorm';
import type { Database } from '../db/database';
import { pendingMigrations } from '../db/migrate';

/** Readiness: the database answers a trivial query. */
export function databaseReachable(db: Database): () => Promise<void> {
  return async () => {
    await db.select('SELECT 1');
  };
}

/**
 * Readiness: no migration is pending. Once none is, none can become pending again while this
 * process runs (its migration list is fixed), so later calls cost nothing.
 */
export function migrationsApplied(dataSource: DataSource): () => Promise<void> {
  let upToDate = false;
  return async () => {
    if (upToDate) return;
    const pending = await pendingMigrations(dataSource);
    if (pending.length) throw new Error(`pending migrations: ${pending.join(', ')} (run \`taskgate migrate\`)`);
    upToDate = true;
  };
}

interface MysqlPoolInternals {
  config?: { connectionLimit?: number };
  _allConnections?: { length: number };
  _freeConnections?: { length: number };
}

/** The pool's figures for the metrics; mysql2 exposes them only as internals, read defensively. */
export function poolFigures(dataSource: DataSource, poolSize: number): () => { max: number; open: number; inUse: number } {
  return () => {
    if (!dataSource.isInitialized) return { max: poolSize, open: 0, inUse: 0 };
    if (dataSource.options.type === 'better-sqlite3') return { max: 1, open: 1, inUse: 0 };
    const pool = (dataSource.driver as unknown as { pool?: MysqlPoolInternals }).pool;
    const open = pool?._allConnections?.length ?? 0;
    const free = pool?._freeConnections?.length ?? 0;
    return { max: pool?.config?.connectionLimit ?? poolSize, open, inUse: Math.max(0, open - free) };
  };
}
