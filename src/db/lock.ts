import type { DataSource } from 'typeorm';

/**
 * Runs `work` while holding a lock that every process on the same database shares, so instances
 * starting at once take turns at what must happen once per database (migrations, the first-start
 * key). MySQL/MariaDB: a named lock (`GET_LOCK`), scoped to the database's name, held by one
 * connection set aside for it while `work` uses the pool. SQLite: one file, one writer at a time,
 * and its single connection already serialises this process; `work` simply runs.
 */
export async function withDatabaseLock<T>(dataSource: DataSource, name: string, work: () => Promise<T>, options: { timeoutSeconds?: number; onWait?: () => void } = {}): Promise<T> {
  if (dataSource.options.type === 'better-sqlite3') return work();
  const timeout = options.timeoutSeconds ?? 120;
  const runner = dataSource.createQueryRunner('master');
  try {
    // MySQL lock names are server-wide: the database's name keeps two databases apart. 64 characters at most.
    const [{ lockName: full }] = (await runner.query('SELECT CONCAT(?, DATABASE()) AS lockName', [`taskgate.${name}.`])) as { lockName: string }[];
    const lockName = full.slice(0, 64);
    let [{ got }] = (await runner.query('SELECT GET_LOCK(?, 0) AS got', [lockName])) as { got: number | null }[];
    if (Number(got) !== 1) {
      options.onWait?.();
      [{ got }] = (await runner.query('SELECT GET_LOCK(?, ?) AS got', [lockName, timeout])) as { got: number | null }[];
    }
    if (Number(got) !== 1) throw new Error(`another taskgate held the database lock "${lockName}" for more than ${timeout} s`);
    try {
      return await work();
    } finally {
      await runner.query('SELECT RELEASE_LOCK(?)', [lockName]).catch(() => undefined);
    }
  } finally {
    await runner.release();
  }
}
