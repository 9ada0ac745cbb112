import { type MigrationInterface, type QueryRunner, TableColumn } from 'typeorm';

/** The documented word of each phase, for rows written before words were stored. */
const wordOfPhase = (column: string) =>
  `CASE ${column} WHEN 'PENDING' THEN 'pending' WHEN 'IN_PROGRESS' THEN 'in progress' WHEN 'SUCCESS' THEN 'sucess' WHEN 'FAILED' THEN 'failed' ELSE LOWER(${column}) END`;

/**
 * Issue 11: status words, deletions and big logs.
 * - `tasks.stage`, `task_events.stage` / `previous_stage`: the word as written (up to 64 characters)
 *   beside the phase in `status`; existing rows get their phase's documented word.
 * - `task_events.kind`: CREATED, UPDATED or DELETED (existing rows: CREATED for the first event).
 * - MySQL/MariaDB: `log` columns become LONGTEXT (TEXT held 65,535 bytes; a log may now be several
 *   MB). MODIFY keeps the data. SQLite's TEXT has no such limit: nothing to change there.
 * New NOT NULL columns need a default to be added to existing rows; once filled, the default goes
 * (MySQL: ALTER ... DROP DEFAULT; SQLite cannot drop one, so TypeORM rebuilds those two tables once).
 */
export class StatusWordsAndBigLogs1764411000000 implements MigrationInterface {
  name = 'StatusWordsAndBigLogs1764411000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const mysql = queryRunner.connection.driver.options.type !== 'better-sqlite3';
    if (mysql) {
      await queryRunner.query(
        "ALTER TABLE tasks MODIFY log LONGTEXT NULL, ADD COLUMN stage VARCHAR(64) NOT NULL DEFAULT '' AFTER status",
      );
      await queryRunner.query(
        "ALTER TABLE task_events MODIFY log LONGTEXT NULL, ADD COLUMN kind VARCHAR(16) NOT NULL DEFAULT 'UPDATED' AFTER task_uuid, " +
          "ADD COLUMN stage VARCHAR(64) NOT NULL DEFAULT '' AFTER previous_status, ADD COLUMN previous_stage VARCHAR(64) NULL AFTER stage",
      );
    } else {
      await queryRunner.query("ALTER TABLE tasks ADD COLUMN stage varchar(64) NOT NULL DEFAULT ''");
      await queryRunner.query("ALTER TABLE task_events ADD COLUMN kind varchar(16) NOT NULL DEFAULT 'UPDATED'");
      await queryRunner.query("ALTER TABLE task_events ADD COLUMN stage varchar(64) NOT NULL DEFAULT ''");
      await queryRunner.query('ALTER TABLE task_events ADD COLUMN previous_stage varchar(64) NULL');
    }
    await queryRunner.query(`UPDATE tasks SET stage = ${wordOfPhase('status')}`);
    await queryRunner.query(
      `UPDATE task_events SET kind = CASE WHEN previous_status IS NULL THEN 'CREATED' ELSE 'UPDATED' END, ` +
        `stage = ${wordOfPhase('status')}, previous_stage = CASE WHEN previous_status IS NULL THEN NULL ELSE ${wordOfPhase('previous_status')} END`,
    );
    if (mysql) {
      await queryRunner.query('ALTER TABLE tasks ALTER COLUMN stage DROP DEFAULT');
      await queryRunner.query('ALTER TABLE task_events ALTER COLUMN kind DROP DEFAULT, ALTER COLUMN stage DROP DEFAULT');
    } else {
      for (const [table, columns] of [['tasks', { stage: '64' }], ['task_events', { kind: '16', stage: '64' }]] as const) {
        const current = await queryRunner.getTable(table);
        const changes = Object.entries(columns).map(([name, length]) => ({
          oldColumn: current!.findColumnByName(name)!,
          newColumn: new TableColumn({ name, type: 'varchar', length }),
        }));
        await queryRunner.changeColumns(table, changes);
      }
    }
    await queryRunner.query('CREATE INDEX idx_tasks_stage_created ON tasks (stage, created_at, uuid)');
    await queryRunner.query('CREATE INDEX idx_task_events_stage ON task_events (stage, id)');
  }

  /** Back to phases only. On MySQL a log over 65,535 bytes makes MODIFY ... TEXT fail (strict mode) rather than cut it. */
  async down(queryRunner: QueryRunner): Promise<void> {
    const mysql = queryRunner.connection.driver.options.type !== 'better-sqlite3';
    await queryRunner.query(mysql ? 'DROP INDEX idx_task_events_stage ON task_events' : 'DROP INDEX idx_task_events_stage');
    await queryRunner.query(mysql ? 'DROP INDEX idx_tasks_stage_created ON tasks' : 'DROP INDEX idx_tasks_stage_created');
    if (mysql) {
      await queryRunner.query('ALTER TABLE task_events DROP COLUMN previous_stage, DROP COLUMN stage, DROP COLUMN kind, MODIFY log TEXT NULL');
      await queryRunner.query('ALTER TABLE tasks DROP COLUMN stage, MODIFY log TEXT NULL');
    } else {
      for (const column of ['previous_stage', 'stage', 'kind']) await queryRunner.query(`ALTER TABLE task_events DROP COLUMN ${column}`);
      await queryRunner.query('ALTER TABLE tasks DROP COLUMN stage');
    }
  }
}
