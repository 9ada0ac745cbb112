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

/** What the figures read of a mysql2 pool and its connections: their public events, nothing else. */
interface PoolEvents {
  on(event: 'connection' | 'acquire' | 'release', listener: (connection: ConnectionEvents) => void): unknown;
}
interface ConnectionEvents {
  once(event: 'end' | 'error', listener: () => void): unknown;
}

/**
 * Counts a mysql2 pool's connections from its events: `connection` and `acquire` show one open
 * (the one TypeORM opened to check the credentials before this was attached shows at its first
 * `acquire`), `acquire`/`release` take it in and out of use, its `end` or `error` (the pool drops
 * it then too) closes it.
 */
class PoolWatch {
  readonly open = new Set<ConnectionEvents>();
  readonly inUse = new Set<ConnectionEvents>();

  constructor(readonly pool: PoolEvents) {
    pool.on('connection', (connection) => this.see(connection));
    pool.on('acquire', (connection) => {
      this.see(connection);
      this.inUse.add(connection);
    });
    pool.on('release', (connection) => this.inUse.delete(connection));
  }

  private see(connection: ConnectionEvents): void {
    if (this.open.has(connection)) return;
    this.open.add(connection);
    const gone = () => {
      this.open.delete(connection);
      this.inUse.delete(connection);
    };
    connection.once('end', gone);
    connection.once('error', gone);
  }
}

/** The pool's figures for the metrics: `max` is the configured size, the rest counted from the pool's events. */
export function poolFigures(dataSource: DataSource, poolSize: number): () => { max: number; open: number; inUse: number } {
  let watch: PoolWatch | undefined;
  // TypeORM's MysqlDriver.pool (public); watched from now on (a new one after a reconnect gets a new watch).
  const watched = (): PoolWatch | undefined => {
    const pool = dataSource.isInitialized ? (dataSource.driver as unknown as { pool?: PoolEvents }).pool : undefined;
    if (pool && watch?.pool !== pool) watch = new PoolWatch(pool);
    return pool ? watch : undefined;
  };
  if (dataSource.options.type !== 'better-sqlite3') watched();
  return () => {
    if (!dataSource.isInitialized) return { max: poolSize, open: 0, inUse: 0 };
    if (dataSource.options.type === 'better-sqlite3') return { max: 1, open: 1, inUse: 0 };
    const watch = watched();
    if (!watch) return { max: poolSize, open: 0, inUse: 0 };
    return { max: poolSize, open: watch.open.size, inUse: Math.min(watch.inUse.size, watch.open.size) };
  };
}
