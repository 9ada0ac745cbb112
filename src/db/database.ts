import { isAscii } from 'node:buffer';
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
  /**
   * MySQL/MariaDB only: the transaction's last statement, a stored procedure that ends in COMMIT,
   * so the statement and the commit take one round trip; its rows are the procedure's first
   * result. A procedure that committed answers at least one row; one that answers none has
   * committed nothing, and the transaction goes on (and commits or rolls back as usual). After
   * a commit any further statement on the transaction is refused (it would run outside it).
   * Should it fail, the transaction is rolled back as when `work` throws.
   */
  commitWith?(sql: string, params?: unknown[]): Promise<Row[]>;
}

/**
 * A thin layer over the TypeORM DataSource (which owns connections and migrations): reads go
 * straight to the driver's prepared statements (the hot path needs no entity hydration);
 * writes run in transactions on a pooled mysql2 connection, or in groups on SQLite's one connection.
 * SQL is written once, portable between SQLite and MySQL/MariaDB (`?` placeholders, no
 * reserved words as names); `dialect` covers the few places where they differ.
 */
export class Database {
  readonly dialect: { kind: 'sqlite' | 'mysql'; forUpdate: string };
  private readonly sqliteStatements = new Map<string, SqliteStatement>();
  /** SQLite transactions waiting for the next group (see `transaction`). */
  private waitingWrites: WaitingWrite[] = [];
  private groupScheduled = false;
  private writeQueue: Promise<unknown> = Promise.resolve();

  constructor(readonly dataSource: DataSource) {
    const kind = dataSource.options.type === 'better-sqlite3' ? 'sqlite' : 'mysql';
    this.dialect = { kind, forUpdate: kind === 'mysql' ? ' FOR UPDATE' : '' };
  }

  /**
   * SQLite answers at once (better-sqlite3 is synchronous): its rows come without a promise, and its errors are thrown.
   * `wholeLogs`: the rows carry whole logs (megabytes each); on MySQL their text is decoded so
   * that it is held outside V8's heap (decodeWholeLog).
   */
  select(sql: string, params: unknown[] = [], wholeLogs = false): MaybePromise<Row[]> {
    try {
      if (this.dialect.kind === 'sqlite') return this.sqliteStatement(sql).all(...params.map(toDriverValue)) as Row[];
      const pool = (this.dataSource.driver as unknown as { pool: MysqlPool }).pool;
      return new Promise<Row[]>((resolve, reject) => {
        try {
          const statement = wholeLogs ? { sql, typeCast: decodeWholeLog } : sql;
          pool.execute(statement, params, (error, rows) => (error ? reject(translateDriverError(error)) : resolve(rows as Row[])));
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
   * that needs no other statement with it: the replay guard's claims. On MySQL it skips what a
   * transaction costs around it: one round trip instead of START TRANSACTION, the statement and
   * COMMIT. On SQLite it is a transaction of one statement, committed with its group.
   */
  async writeAlone(sql: string, params: unknown[] = []): Promise<WriteResult> {
    if (this.dialect.kind === 'sqlite') return this.transaction((tx) => tx.write(sql, params));
    const pool = (this.dataSource.driver as unknown as { pool: MysqlPool }).pool;
    const values = params.map(toMysqlValue);
    // The text protocol (mysql2 escapes the values): the claims' multi-row INSERT takes a new shape
    // with each group size, and a prepared statement would cost a PREPARE round trip per shape per connection.
    try {
      const header = await againWhenDeadlocked(
        () =>
          new Promise<{ affectedRows?: number; insertId?: number }>((resolve, reject) =>
            pool.query(sql, values, (error, result) => (error ? reject(error) : resolve(result as { affectedRows?: number; insertId?: number }))),
          ),
      );
      return { affected: header.affectedRows ?? 0, insertId: Number(header.insertId ?? 0) };
    } catch (error) {
      throw translateDriverError(error);
    }
  }

  /**
   * Runs `work` in one transaction and commits it, or rolls it all back when it throws.
   * MySQL transactions run side by side (row locks order them) and are retried when the server
   * picks them as a deadlock victim. SQLite has one connection, so its transactions take turns,
   * and they are committed in groups: the writes that arrive in one turn of the event loop run
   * one after the other in one transaction, each inside a savepoint of its own, and one COMMIT
   * ends them all. Each write keeps its own result and its own error (a write that throws is
   * rolled back to its savepoint, alone); nothing resolves before the COMMIT. What a commit costs
   * SQLite is mostly the pages it writes to the WAL, and a group writes the pages its writes share
   * (the ends of the events table and of its indexes, the claims' pages) once: bench scenario 4,
   * bench/PROFILE.md.
   */
  async transaction<T>(work: (tx: Transaction) => Promise<T>): Promise<T> {
    if (this.dialect.kind === 'sqlite') {
      return new Promise<T>((resolve, reject) => {
        this.waitingWrites.push({ work, resolve: resolve as (value: unknown) => void, reject });
        this.scheduleGroup();
      });
    }
    return againWhenDeadlocked(() => this.runMysqlTransaction(work));
  }

  /** The next group starts once the event loop has read what has arrived (setImmediate), on its turn after the group before. */
  private scheduleGroup(): void {
    if (this.groupScheduled) return;
    this.groupScheduled = true;
    setImmediate(() => {
      const turn = this.writeQueue.then(() => {
        this.groupScheduled = false;
        const group = this.waitingWrites.splice(0, maxWritesPerGroup);
        if (this.waitingWrites.length > 0) this.scheduleGroup();
        return this.runSqliteGroup(group);
      });
      this.writeQueue = turn.catch(() => undefined);
    });
  }

  /**
   * Commits a group and hands each write its outcome. When the group as a whole fails (its BEGIN,
   * a savepoint or its COMMIT: nothing of it is written), each write runs again as a group of its
   * own, as MySQL's deadlock retry runs a transaction again, so each gets the answer it would have
   * had alone; a write alone that still fails gets that error.
   */
  private async runSqliteGroup(group: WaitingWrite[]): Promise<void> {
    let outcomes: Outcome[];
    try {
      outcomes = await this.commitSqliteGroup(group);
    } catch (error) {
      if (group.length === 1) return group[0].reject(translateDriverError(error));
      for (const write of group) await this.runSqliteGroup([write]);
      return;
    }
    group.forEach((write, i) => {
      const outcome = outcomes[i];
      if ('error' in outcome) write.reject(outcome.error);
      else write.resolve(outcome.value);
    });
  }

  /** One transaction for the group, each write in a savepoint of its own; throws when the group as a whole failed. */
  private async commitSqliteGroup(group: WaitingWrite[]): Promise<Outcome[]> {
    const runner = this.dataSource.createQueryRunner('master');
    try {
      await runner.connect();
      // IMMEDIATE: the write lock is taken (or waited for) first. A deferred transaction reads a
      // snapshot first, and once another process has committed after it, every write of the group
      // would be refused (SQLITE_BUSY_SNAPSHOT) instead of waiting its turn.
      await runner.query('BEGIN IMMEDIATE');
      const tx = transactionOn(runner);
      const outcomes: Outcome[] = [];
      for (const write of group) {
        await runner.query('SAVEPOINT one_write');
        try {
          outcomes.push({ value: await write.work(tx) });
        } catch (error) {
          outcomes.push({ error: translateDriverError(error) });
          await runner.query('ROLLBACK TO one_write');
        }
        await runner.query('RELEASE one_write');
      }
      await runner.query('COMMIT');
      return outcomes;
    } catch (error) {
      await runner.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      await runner.release().catch(() => undefined);
    }
  }

  /**
   * MySQL/MariaDB transactions straight on a pooled mysql2 connection, statements as prepared
   * statements. Measured (bench scenario 4): TypeORM's QueryRunner sent SET TRANSACTION ISOLATION
   * LEVEL before every transaction and every statement through the text protocol and its logging
   * layers; the isolation level is now set once per pooled connection, one round trip less per write.
   * A write's last step can carry the COMMIT (`commitWith`).
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
    let committed = false;
    // After the commit the connection is back in autocommit: a statement sent then would be
    // written at once, outside the transaction and past its rollback.
    const open = () => {
      if (committed) throw new Error('the transaction has committed (commitWith): nothing more may be sent on it');
    };
    const tx: Transaction = {
      select: async (sql, params = []) => (open(), (await run(c, 'execute', sql, params.map(toMysqlValue))) as Row[]),
      write: async (sql, params = []) => {
        open();
        const header = (await run(c, 'execute', sql, params.map(toMysqlValue))) as { affectedRows?: number; insertId?: number };
        return { affected: header.affectedRows ?? 0, insertId: Number(header.insertId ?? 0) };
      },
      commitWith: async (sql, params = []) => {
        open();
        // A CALL answers its result sets, then the CALL's own status.
        const results = await run(c, 'execute', sql, params.map(toMysqlValue));
        const rows = (Array.isArray(results) && Array.isArray(results[0]) ? results[0] : []) as Row[];
        committed = rows.length > 0;
        return rows;
      },
    };
    try {
      const result = await work(tx);
      if (!committed) await run(c, 'query', 'COMMIT');
      c.release();
      return result;
    } catch (error) {
      if (committed) {
        // Nothing is left to roll back: the error came after the commit.
        c.release();
        throw translateDriverError(error);
      }
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

/**
 * Runs `run` again, up to five times in all, while MySQL picks it as a deadlock victim or times
 * it out waiting for a lock: it wrote nothing then (a transaction is rolled back whole).
 */
async function againWhenDeadlocked<T>(run: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await run();
    } catch (error) {
      if (attempt >= 5 || !isRetryable(error)) throw error;
    }
  }
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

/** Most writes one SQLite group holds: a bound on how long the last of them waits. */
const maxWritesPerGroup = 100;

interface WaitingWrite {
  work: (tx: Transaction) => Promise<unknown>;
  resolve(value: unknown): void;
  reject(error: unknown): void;
}

type Outcome = { value: unknown } | { error: unknown };

interface SqliteStatement {
  all(...params: unknown[]): unknown[];
}
interface SqliteDb {
  prepare(sql: string): SqliteStatement;
}
type MysqlCallback = (error: Error | null, rows: unknown) => void;
interface MysqlPool {
  execute(sql: string | { sql: string; typeCast: MysqlTypeCast }, params: unknown[], callback: MysqlCallback): void;
  query(sql: string, params: unknown[], callback: MysqlCallback): void;
  getConnection(callback: (error: Error | null, connection: MysqlConnection) => void): void;
}
interface MysqlConnection {
  query(sql: string, params: unknown[], callback: MysqlCallback): void;
  execute(sql: string, params: unknown[], callback: MysqlCallback): void;
  release(): void;
  destroy(): void;
}

/** What mysql2 hands a typeCast: the column's name and its raw bytes, or its usual decoding (`next`). */
type MysqlTypeCast = (field: { name: string; buffer(): Buffer | null }, next: () => unknown) => unknown;

/**
 * A `log` column's text, decoded so that a big one lives outside V8's heap. mysql2 decodes text as
 * UTF-8, and node makes a string of that size on the heap, where a streamed megabyte log is
 * promoted and stays until the next full collection: streaming 1 GB of them grew the gateway's
 * heap by 150-200 MB (bench scenario 11, bench/PROFILE.md). An ASCII text decodes to the same
 * characters as latin1, and node makes a latin1 string of about a megabyte or more an external
 * one, whose bytes V8 gives back as soon as the string dies. Any other text is decoded as before.
 */
const decodeWholeLog: MysqlTypeCast = (field, next) => {
  if (field.name !== 'log') return next();
  const bytes = field.buffer();
  if (bytes === null) return null;
  return isAscii(bytes) ? bytes.toString('latin1') : bytes.toString('utf8');
};

/** Pooled connections whose session is already READ COMMITTED (the pool reuses the same objects). */
const readCommitted = new WeakSet<MysqlConnection>();

function run(connection: MysqlConnection, how: 'query' | 'execute', sql: string, params: unknown[] = []): Promise<unknown> {
  return new Promise((resolve, reject) => connection[how](sql, params, (error, rows) => (error ? reject(error) : resolve(rows))));
}

/** Prepared statements refuse `undefined`; it means NULL, as in the text protocol. */
function toMysqlValue(value: unknown): unknown {
  return value === undefined ? null : toDriverValue(value);
}
