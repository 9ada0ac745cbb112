import type { DataSource, QueryRunner } from 'typeorm';
import type { MaybePromise } from '../lib/maybe-promise';
import { serviceUnavailable } from '../tasks/task.errors';

export type Row = Record<string, unknown>;

/** What a write statement changed. */
export interface WriteResult {
  affected: number;
  insertId: number;
}

/** Statements inside one transaction. */
export interface Transaction {
  select(sql: string, params?: unknown[]): Promise<Row[]>;
  write(sql: string, params?: unknown[]): Promise<WriteResult>;
}

/**
 * A thin layer over the TypeORM DataSource (which owns connections and migrations): reads go
 * straight to the driver's prepared statements (the hot path needs no entity hydration);
 * writes run in transactions on a pooled mysql2 connection, or TypeORM's on SQLite.
 * SQL is written once, portable between SQLite and MySQL/MariaDB (`?` placeholders, no
 * reserved words as names); `dialect` covers the few places where they differ.
 */
export class Database {
  readonly dialect: { kind: 'sqlite' | 'mysql'; forUpdate: string };
  private readonly sqliteStatements = new Map<string, SqliteStatement>();
  private writeQueue: Promise<unknown> = Promise.resolve();

  constructor(readonly dataSource: DataSource) {
    const kind = dataSource.options.type === 'better-sqlite3' ? 'sqlite' : 'mysql';
    this.dialect = { kind, forUpdate: kind === 'mysql' ? ' FOR UPDATE' : '' };
  }

  /** SQLite answers at once (better-sqlite3 is synchronous): its rows come without a promise, and its errors are thrown. */
  select(sql: string, params: unknown[] = []): MaybePromise<Row[]> {
    try {
      if (this.dialect.kind === 'sqlite') return this.sqliteStatement(sql).all(...params.map(toDriverValue)) as Row[];
      const pool = (this.dataSource.driver as unknown as { pool: MysqlPool }).pool;
      return new Promise<Row[]>((resolve, reject) => {
        try {
          pool.execute(sql, params, (error, rows) => (error ? reject(translateDriverError(error)) : resolve(rows as Row[])));
        } catch (error) {
          reject(translateDriverError(error));
        }
      });
    } catch (error) {
      throw translateDriverError(error);
    }
  }

  /**
   * One write statement committed on its own (the database's implicit transaction), for a write
   * that needs no other statement with it: the replay guard's claims. It skips what a
   * transaction costs around it: on MySQL one round trip instead of START TRANSACTION, the
   * statement and COMMIT; on SQLite the cached prepared statement on its turn in the write
   * queue (never inside another turn's open transaction), without a TypeORM QueryRunner.
   */
  async writeAlone(sql: string, params: unknown[] = []): Promise<WriteResult> {
    if (this.dialect.kind === 'sqlite') {
      const turn = this.writeQueue.then(() => {
        try {
          const result = this.sqliteStatement(sql).run(...params.map(toDriverValue));
          return { affected: result.changes, insertId: Number(result.lastInsertRowid) };
        } catch (error) {
          throw translateDriverError(error);
        }
      });
      this.writeQueue = turn.catch(() => undefined);
      return turn;
    }
    const pool = (this.dataSource.driver as unknown as { pool: MysqlPool }).pool;
    const values = params.map(toMysqlValue);
    // The text protocol (mysql2 escapes the values): the claims' multi-row INSERT takes a new shape
    // with each group size, and a prepared statement would cost a PREPARE round trip per shape per connection.
    // A statement the server picked as a deadlock victim wrote nothing: sent again, as transactions are.
    for (let attempt = 1; ; attempt++) {
      try {
        const header = await new Promise<{ affectedRows?: number; insertId?: number }>((resolve, reject) =>
          pool.query(sql, values, (error, result) => (error ? reject(error) : resolve(result as { affectedRows?: number; insertId?: number }))),
        );
        return { affected: header.affectedRows ?? 0, insertId: Number(header.insertId ?? 0) };
      } catch (error) {
        if (attempt < 5 && isRetryable(error)) continue;
        throw translateDriverError(error);
      }
    }
  }

  /**
   * Runs `work` in one transaction and commits it, or rolls it all back when it throws.
   * SQLite has one connection, so its transactions take turns; MySQL transactions run side by
   * side (row locks order them) and are retried when the server picks them as a deadlock victim.
   */
  async transaction<T>(work: (tx: Transaction) => Promise<T>): Promise<T> {
    if (this.dialect.kind === 'sqlite') {
      const turn = this.writeQueue.then(() => this.runTransaction(work));
      this.writeQueue = turn.catch(() => undefined);
      return turn;
    }
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.runTransaction(work);
      } catch (error) {
        if (attempt >= 5 || !isRetryable(error)) throw error;
      }
    }
  }

  private async runTransaction<T>(work: (tx: Transaction) => Promise<T>): Promise<T> {
    if (this.dialect.kind === 'mysql') return this.runMysqlTransaction(work);
    let runner: QueryRunner | undefined;
    try {
      runner = this.dataSource.createQueryRunner('master');
      await runner.connect();
      await runner.startTransaction();
    } catch (error) {
      await runner?.release().catch(() => undefined);
      throw translateDriverError(error);
    }
    const tx = transactionOn(runner);
    try {
      const result = await work(tx);
      await runner.commitTransaction();
      return result;
    } catch (error) {
      await runner.rollbackTransaction().catch(() => undefined);
      throw translateDriverError(error);
    } finally {
      await runner.release().catch(() => undefined);
    }
  }

  /**
   * MySQL/MariaDB transactions straight on a pooled mysql2 connection, statements as prepared
   * statements. Measured (bench scenario 4): TypeORM's QueryRunner sent SET TRANSACTION ISOLATION
   * LEVEL before every transaction and every statement through the text protocol and its logging
   * layers; the isolation level is now set once per pooled connection, one round trip less per write.
   */
  private async runMysqlTransaction<T>(work: (tx: Transaction) => Promise<T>): Promise<T> {
    const pool = (this.dataSource.driver as unknown as { pool: MysqlPool }).pool;
    let connection: MysqlConnection | undefined;
    try {
      connection = await new Promise<MysqlConnection>((resolve, reject) => pool.getConnection((error, c) => (error ? reject(error) : resolve(c))));
      if (!readCommitted.has(connection)) {
        // READ COMMITTED keeps InnoDB from taking gap locks that deadlock unrelated inserts.
        await run(connection, 'query', 'SET SESSION TRANSACTION ISOLATION LEVEL READ COMMITTED');
        readCommitted.add(connection);
      }
      await run(connection, 'query', 'START TRANSACTION');
    } catch (error) {
      connection?.release();
      throw translateDriverError(error);
    }
    const c = connection;
    const tx: Transaction = {
      select: async (sql, params = []) => (await run(c, 'execute', sql, params.map(toMysqlValue))) as Row[],
      write: async (sql, params = []) => {
        const header = (await run(c, 'execute', sql, params.map(toMysqlValue))) as { affectedRows?: number; insertId?: number };
        return { affected: header.affectedRows ?? 0, insertId: Number(header.insertId ?? 0) };
      },
    };
    try {
      const result = await work(tx);
      await run(c, 'query', 'COMMIT');
      c.release();
      return result;
    } catch (error) {
      try {
        await run(c, 'query', 'ROLLBACK');
        c.release();
      } catch {
        // A connection that cannot even roll back is not given back to the pool.
        c.destroy();
      }
      throw translateDriverError(error);
    }
  }

  private sqliteStatement(sql: string): SqliteStatement {
    let statement = this.sqliteStatements.get(sql);
    if (!statement) {
      const db = (this.dataSource.driver as unknown as { databaseConnection: SqliteDb }).databaseConnection;
      statement = db.prepare(sql);
      this.sqliteStatements.set(sql, statement);
    }
    return statement;
  }
}

function transactionOn(runner: QueryRunner): Transaction {
  return {
    async select(sql, params = []) {
      return (await runner.query(sql, params.map(toDriverValue))) as Row[];
    },
    async write(sql, params = []) {
      const result = await runner.query(sql, params.map(toDriverValue), true);
      const raw = result.raw as { insertId?: number } | number | bigint | undefined;
      const insertId = typeof raw === 'object' && raw ? Number(raw.insertId ?? 0) : Number(raw ?? 0);
      return { affected: result.affected ?? 0, insertId };
    },
  };
}

/** Dates are bound in the one text form both databases compare correctly; better-sqlite3 binds no booleans. */
function toDriverValue(value: unknown): unknown {
  if (value instanceof Date) return formatDbTime(value);
  if (typeof value === 'boolean') return value ? 1 : 0;
  return value;
}

/** `YYYY-MM-DD HH:MM:SS.mmm` in UTC: how both databases store and compare our DATETIME(3) columns. */
export function formatDbTime(date: Date): string {
  return date.toISOString().slice(0, 23).replace('T', ' ');
}

/** Reads a DATETIME back: SQLite gives the stored text, mysql2 a Date (already UTC, timezone Z). */
export function parseDbTime(value: unknown): Date {
  if (value instanceof Date) return value;
  return new Date(`${String(value).replace(' ', 'T')}Z`);
}

const unavailableCodes = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EHOSTUNREACH',
  'PROTOCOL_CONNECTION_LOST',
  'ER_CON_COUNT_ERROR',
  'ER_SERVER_SHUTDOWN',
  'ER_ACCESS_DENIED_ERROR',
  'SQLITE_BUSY',
  'SQLITE_LOCKED',
]);

/** A database that cannot be reached becomes SERVICE_UNAVAILABLE; anything else is left as it is. */
export function translateDriverError(error: unknown): unknown {
  const e = error as { code?: string; fatal?: boolean; driverError?: { code?: string; fatal?: boolean } } | null;
  const code = e?.code ?? e?.driverError?.code;
  const fatal = e?.fatal ?? e?.driverError?.fatal;
  if ((code && unavailableCodes.has(code)) || fatal) return serviceUnavailable('the database');
  if (error instanceof Error && /pool is closed|Connection is not established|Can't add new command when connection is in closed state/i.test(error.message)) {
    return serviceUnavailable('the database');
  }
  return error;
}

function isRetryable(error: unknown): boolean {
  const e = error as { code?: string; driverError?: { code?: string } } | null;
  const code = e?.code ?? e?.driverError?.code;
  return code === 'ER_LOCK_DEADLOCK' || code === 'ER_LOCK_WAIT_TIMEOUT';
}

/** Is this the database refusing a duplicate key? */
export function isDuplicateKey(error: unknown): boolean {
  const e = error as { code?: string; driverError?: { code?: string } } | null;
  const code = e?.code ?? e?.driverError?.code ?? '';
  return code === 'ER_DUP_ENTRY' || code.startsWith('SQLITE_CONSTRAINT');
}

interface SqliteStatement {
  all(...params: unknown[]): unknown[];
  run(...params: unknown[]): { changes: number; lastInsertRowid: number | bigint };
}
interface SqliteDb {
  prepare(sql: string): SqliteStatement;
}
type MysqlCallback = (error: Error | null, rows: unknown) => void;
interface MysqlPool {
  execute(sql: string, params: unknown[], callback: MysqlCallback): void;
  query(sql: string, params: unknown[], callback: MysqlCallback): void;
  getConnection(callback: (error: Error | null, connection: MysqlConnection) => void): void;
}
interface MysqlConnection {
  query(sql: string, params: unknown[], callback: MysqlCallback): void;
  execute(sql: string, params: unknown[], callback: MysqlCallback): void;
  release(): void;
  destroy(): void;
}

/** Pooled connections whose session is already READ COMMITTED (the pool reuses the same objects). */
const readCommitted = new WeakSet<MysqlConnection>();

function run(connection: MysqlConnection, how: 'query' | 'execute', sql: string, params: unknown[] = []): Promise<unknown> {
  return new Promise((resolve, reject) => connection[how](sql, params, (error, rows) => (error ? reject(error) : resolve(rows))));
}

/** Prepared statements refuse `undefined`; it means NULL, as in the text protocol. */
function toMysqlValue(value: unknown): unknown {
  return value === undefined ? null : toDriverValue(value);
}
