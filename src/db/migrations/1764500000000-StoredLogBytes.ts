import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Issue 16: `tasks.log_bytes`, the byte length of `log`, kept by the database itself, so a
 * listing learns how big a log is without touching it. On MariaDB, `OCTET_LENGTH(log)` (and any
 * mention of `log` in a SELECT list, even in a CASE that discards it) makes InnoDB read the whole
 * off-page LONGTEXT: a query over 200 rows of 1 MB logs took about 580-1,200 ms against 3 ms
 * without it (bench/PROFILE.md, scenario 11).
 * - A plain nullable BIGINT set by triggers on both databases. Triggers rather than the
 *   application: rows written by any SQL (older code, an operator, a bench seeding by hand) still
 *   carry the right size. A STORED generated column was measured on MariaDB and rejected: reading
 *   it made MariaDB read `log` as well. (SQLite's generated columns would need TypeORM's own
 *   bookkeeping to match the entity; its triggers cannot set NEW, so they rewrite the row after
 *   the write, which on SQLite is in-process and only on writes that bring a log.)
 * - Existing rows are filled here, after the triggers exist, so a row written meanwhile is not missed.
 * - MariaDB with binary logging on: CREATE TRIGGER needs the TRIGGER privilege and, for a user
 *   without SUPER, `log_bin_trust_function_creators = 1`; the migration stops with MariaDB's error if not.
 * task_events keeps computing OCTET_LENGTH(log): its reads (history, replays) are by task or id,
 * not pages over a whole table of big logs.
 */
export class StoredLogBytes1764500000000 implements MigrationInterface {
  name = 'StoredLogBytes1764500000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const mysql = queryRunner.connection.driver.options.type !== 'better-sqlite3';
    // MySQL commits each DDL statement on its own: a run stopped half-way (a trigger refused for
    // want of a privilege) leaves the column behind. Each step may therefore find itself done,
    // so the migration can simply be run again once the cause is fixed.
    if (!(await queryRunner.hasColumn('tasks', 'log_bytes'))) {
      await queryRunner.query(mysql ? 'ALTER TABLE tasks ADD COLUMN log_bytes BIGINT NULL AFTER log' : 'ALTER TABLE tasks ADD COLUMN log_bytes bigint NULL');
    }
    await queryRunner.query('DROP TRIGGER IF EXISTS tasks_log_bytes_insert');
    await queryRunner.query('DROP TRIGGER IF EXISTS tasks_log_bytes_update');
    if (mysql) {
      await queryRunner.query('CREATE TRIGGER tasks_log_bytes_insert BEFORE INSERT ON tasks FOR EACH ROW SET NEW.log_bytes = OCTET_LENGTH(NEW.log)');
      await queryRunner.query('CREATE TRIGGER tasks_log_bytes_update BEFORE UPDATE ON tasks FOR EACH ROW SET NEW.log_bytes = OCTET_LENGTH(NEW.log)');
    } else {
      await queryRunner.query(
        'CREATE TRIGGER tasks_log_bytes_insert AFTER INSERT ON tasks FOR EACH ROW BEGIN UPDATE tasks SET log_bytes = octet_length(NEW.log) WHERE uuid = NEW.uuid; END',
      );
      // OF log: a change of status or word leaves the row (and a big log) alone.
      await queryRunner.query(
        'CREATE TRIGGER tasks_log_bytes_update AFTER UPDATE OF log ON tasks FOR EACH ROW BEGIN UPDATE tasks SET log_bytes = octet_length(NEW.log) WHERE uuid = NEW.uuid; END',
      );
    }
    await queryRunner.query('UPDATE tasks SET log_bytes = OCTET_LENGTH(log)');
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP TRIGGER IF EXISTS tasks_log_bytes_update');
    await queryRunner.query('DROP TRIGGER IF EXISTS tasks_log_bytes_insert');
    await queryRunner.query('ALTER TABLE tasks DROP COLUMN log_bytes');
  }
}
