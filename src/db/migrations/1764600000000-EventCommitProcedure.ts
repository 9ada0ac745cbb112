import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * MySQL/MariaDB only: `append_task_event_and_commit`, a write transaction's last step in one
 * round trip: it inserts the event under the clock row (as `TaskStore.appendEvent` did in a
 * statement of its own), refuses when there is no clock row, commits, and answers the event's id.
 * The clock row (see EventClock) is then held for the INSERT and the COMMIT on the server only:
 * no longer while the answer to the INSERT waits for a busy event loop to read it and send
 * COMMIT, time every write used to spend one at a time (bench scenario 4, bench/PROFILE.md).
 * - An error in the INSERT (a duplicate event, a deadlock) stops the procedure before its
 *   COMMIT; the caller rolls back, as before.
 * - Values come in as the procedure's parameters (bound by the driver, never spliced into SQL).
 *   Each text parameter is declared as the column it is written to or compared with (type,
 *   character set and collation, read from information_schema): `uuid = p_uuid` then uses the
 *   primary key and cannot meet an "Illegal mix of collations" in a database whose collation is
 *   not the character set's default, and a value reaches its column converted as it was when it
 *   was bound to the statement itself.
 * - SQL SECURITY INVOKER: it runs with the caller's privileges (which also need EXECUTE). Creating
 *   it needs CREATE ROUTINE; unlike a trigger or a function, a procedure needs no SUPER or
 *   `log_bin_trust_function_creators` with binary logging on.
 * SQLite has no procedures and needs none: its writes run in-process (src/db/database.ts).
 */
export class EventCommitProcedure1764600000000 implements MigrationInterface {
  name = 'EventCommitProcedure1764600000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    if (queryRunner.connection.driver.options.type === 'better-sqlite3') return;
    const declared = await columnDeclarations(queryRunner);
    const text = (column: string) => {
      const declaration = declared.get(column);
      if (!declaration) throw new Error(`EventCommitProcedure: no text column ${column} in this database`);
      return declaration;
    };
    await queryRunner.query('DROP PROCEDURE IF EXISTS append_task_event_and_commit');
    await createProcedure(
      queryRunner,
      'CREATE PROCEDURE append_task_event_and_commit(' +
        `IN p_task_uuid ${text('task_events.task_uuid')}, IN p_kind ${text('task_events.kind')}, IN p_version INT, ` +
        `IN p_status ${text('task_events.status')}, IN p_previous_status ${text('task_events.previous_status')}, ` +
        `IN p_stage ${text('task_events.stage')}, IN p_previous_stage ${text('task_events.previous_stage')}, IN p_log ${text('task_events.log')}, ` +
        `IN p_changed_at DATETIME(3), IN p_changed_by ${text('task_events.changed_by')}) ` +
        'MODIFIES SQL DATA SQL SECURITY INVOKER ' +
        'BEGIN ' +
        'DECLARE v_id BIGINT; ' +
        'INSERT INTO task_events (task_uuid, kind, version, status, previous_status, stage, previous_stage, log, changed_at, changed_by) ' +
        'SELECT p_task_uuid, p_kind, p_version, p_status, p_previous_status, p_stage, p_previous_stage, p_log, p_changed_at, p_changed_by ' +
        'FROM task_event_clock WHERE id = 1 FOR UPDATE; ' +
        // No clock row (a damaged database) would silently drop the event: refuse before committing.
        "IF ROW_COUNT() <> 1 THEN SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'task_event_clock has no row 1: the event was not recorded'; END IF; " +
        'SET v_id = LAST_INSERT_ID(); ' +
        'COMMIT; ' +
        'SELECT v_id AS id; ' +
        'END',
    );
    // updateTask's UPDATE, then the above. When the row has moved on (the version condition), it
    // answers no row and commits nothing: the caller's transaction goes on as when its own UPDATE
    // changed no row. A log is assigned only when the change brings one, so a word change does
    // not rewrite a big log.
    await queryRunner.query('DROP PROCEDURE IF EXISTS update_task_append_event_and_commit');
    await createProcedure(
      queryRunner,
      'CREATE PROCEDURE update_task_append_event_and_commit(' +
        `IN p_uuid ${text('tasks.uuid')}, IN p_expected_version INT, IN p_status ${text('tasks.status')}, IN p_stage ${text('tasks.stage')}, ` +
        `IN p_log ${text('tasks.log')}, IN p_last_update DATETIME(3), IN p_version INT, ` +
        `IN p_kind ${text('task_events.kind')}, IN p_previous_status ${text('task_events.previous_status')}, IN p_previous_stage ${text('task_events.previous_stage')}, ` +
        `IN p_changed_by ${text('task_events.changed_by')}) ` +
        'MODIFIES SQL DATA SQL SECURITY INVOKER ' +
        'BEGIN ' +
        'DECLARE v_rows INT; ' +
        'IF p_log IS NULL THEN ' +
        'UPDATE tasks SET status = p_status, stage = p_stage, last_update = p_last_update, version = p_version WHERE uuid = p_uuid AND version = p_expected_version; ' +
        'ELSE ' +
        'UPDATE tasks SET status = p_status, stage = p_stage, log = p_log, last_update = p_last_update, version = p_version WHERE uuid = p_uuid AND version = p_expected_version; ' +
        'END IF; ' +
        'SET v_rows = ROW_COUNT(); ' +
        'IF v_rows = 1 THEN ' +
        'CALL append_task_event_and_commit(p_uuid, p_kind, p_version, p_status, p_previous_status, p_stage, p_previous_stage, p_log, p_last_update, p_changed_by); ' +
        'END IF; ' +
        'END',
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    if (queryRunner.connection.driver.options.type === 'better-sqlite3') return;
    await queryRunner.query('DROP PROCEDURE IF EXISTS update_task_append_event_and_commit');
    await queryRunner.query('DROP PROCEDURE IF EXISTS append_task_event_and_commit');
  }
}

/**
 * `table.column` -> its declaration as a procedure parameter (`varchar(36) CHARACTER SET utf8mb4
 * COLLATE utf8mb4_unicode_ci`), for the text columns of tasks and task_events in this database.
 */
async function columnDeclarations(queryRunner: QueryRunner): Promise<Map<string, string>> {
  const rows: { t: string; c: string; type: string; cs: string; co: string }[] = await queryRunner.query(
    'SELECT TABLE_NAME AS t, COLUMN_NAME AS c, COLUMN_TYPE AS type, CHARACTER_SET_NAME AS cs, COLLATION_NAME AS co FROM information_schema.COLUMNS ' +
      "WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME IN ('tasks', 'task_events') AND CHARACTER_SET_NAME IS NOT NULL",
  );
  const declared = new Map<string, string>();
  for (const row of rows) {
    // Names and types as the server spells them, checked before they are written into SQL.
    if (![row.cs, row.co].every((name) => /^\w+$/.test(name)) || !/^[a-z]+(\(\d+\))?$/.test(row.type)) continue;
    declared.set(`${row.t}.${row.c}`, `${row.type.toUpperCase()} CHARACTER SET ${row.cs} COLLATE ${row.co}`);
  }
  return declared;
}

/**
 * Runs a CREATE PROCEDURE. Without CREATE ROUTINE the server answers only "Access denied for user
 * ... to database ...": the error then says which privilege is missing.
 */
async function createProcedure(queryRunner: QueryRunner, sql: string): Promise<void> {
  try {
    await queryRunner.query(sql);
  } catch (error) {
    if ((error as { code?: string }).code !== 'ER_DBACCESS_DENIED_ERROR') throw error;
    throw new Error(`EventCommitProcedure: creating its stored procedures needs the CREATE ROUTINE privilege on this database (${(error as Error).message})`, { cause: error });
  }
}
