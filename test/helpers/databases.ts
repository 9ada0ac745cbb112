import { randomBytes } from 'node:crypto';
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createConnection } from 'mysql2/promise';
import { loadConfig } from '../../src/config';
import { createDataSource } from '../../src/db/data-source';
import { has } from './environment';

export type DatabaseKind = 'sqlite' | 'mariadb';

/**
 * The databases every integration suite runs against: SQLite always, MariaDB/MySQL when
 * TEST_MYSQL_URL is set (CI sets it; a missing server there is a failure, not a skip).
 */
export function databaseKinds(): DatabaseKind[] {
  return has('mariadb') ? ['sqlite', 'mariadb'] : ['sqlite'];
}

export interface TestDatabase {
  url: string;
  drop(): Promise<void>;
}

let sqliteTemplate: Promise<string> | undefined;

/** A SQLite file with every migration applied, made once per jest worker and then copied. */
function migratedSqliteTemplate(): Promise<string> {
  sqliteTemplate ??= (async () => {
    const dir = mkdtempSync(join(tmpdir(), 'taskgate-template-'));
    process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
    const file = join(dir, 'template.db');
    const dataSource = createDataSource(loadConfig({ NODE_ENV: 'test', DATABASE_URL: `sqlite:${file}` }).database);
    await dataSource.initialize();
    await dataSource.runMigrations({ transaction: 'each' });
    await dataSource.destroy();
    return file;
  })();
  return sqliteTemplate;
}

/**
 * A fresh database of the given kind, private to one suite: empty, or with `migrated: true` a
 * copy of one migrated once per worker (SQLite; on MariaDB the server migrates it, which costs
 * about what cloning the tables would).
 */
export async function freshDatabase(kind: DatabaseKind, options: { migrated?: boolean; mysqlCollation?: string } = {}): Promise<TestDatabase> {
  if (kind === 'sqlite') {
    const dir = mkdtempSync(join(tmpdir(), 'taskgate-test-'));
    const file = join(dir, 'tasks.db');
    if (options.migrated) copyFileSync(await migratedSqliteTemplate(), file);
    return { url: `sqlite:${file}`, drop: async () => rmSync(dir, { recursive: true, force: true }) };
  }
  const base = new URL(process.env.TEST_MYSQL_URL as string);
  const name = `taskgate_t_${randomBytes(5).toString('hex')}`;
  const admin = await createConnection({ host: base.hostname, port: Number(base.port || 3306), user: decodeURIComponent(base.username || 'root'), password: decodeURIComponent(base.password) });
  // mysqlCollation: a database whose default collation is not the server's (SQLite has no such choice).
  await admin.query(`CREATE DATABASE ${name} CHARACTER SET utf8mb4${options.mysqlCollation ? ` COLLATE ${options.mysqlCollation}` : ''}`);
  await admin.end();
  const url = new URL(base.toString());
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      const conn = await createConnection({ host: base.hostname, port: Number(base.port || 3306), user: decodeURIComponent(base.username || 'root'), password: decodeURIComponent(base.password) });
      await conn.query(`DROP DATABASE IF EXISTS ${name}`);
      await conn.end();
    },
  };
}
