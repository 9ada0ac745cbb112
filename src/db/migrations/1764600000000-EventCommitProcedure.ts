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
 *   Text parameters are utf8mb4, the connection's character set, so a value reaches the column
 *   as it did when it was bound to the INSERT itself.
 * - SQL SECURITY INVOKER: it runs with the caller's privileges (which also need EXECUTE). Creating
 *   it needs CREATE ROUTINE; unlike a trigger or a function, a procedure needs no SUPER or
 *   `log_bin_trust_function_creators` with binary logging on.
 * SQLite has no procedures and needs none: its writes run in-process (src/db/database.ts).
 */
export class EventCommitProcedure1764600000000 implements MigrationInterface {
  name = 'EventCommitProcedure1764600000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    if (queryRunner.connection.driver.options.type === 'better-sqlite3') return;
    const text = (type: string) => `${type} CHARACTER SET utf8mb4`;
    await queryRunner.query('DROP PROCEDURE IF EXISTS append_task_event_and_commit');
    await queryRunner.query(
      'CREATE PROCEDURE append_task_event_and_commit(' +
        `IN p_task_uuid ${text('VARCHAR(36)')}, IN p_kind ${text('VARCHAR(16)')}, IN p_version INT, ` +
        `IN p_status ${text('VARCHAR(16)')}, IN p_previous_status ${text('VARCHAR(16)')}, ` +
        `IN p_stage ${text('VARCHAR(64)')}, IN p_previous_stage ${text('VARCHAR(64)')}, IN p_log ${text('LONGTEXT')}, ` +
        `IN p_changed_at DATETIME(3), IN p_changed_by ${text('VARCHAR(128)')}) ` +
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
    await queryRunner.query(
      'CREATE PROCEDURE update_task_append_event_and_commit(' +
        `IN p_uuid ${text('VARCHAR(36)')}, IN p_expected_version INT, IN p_status ${text('VARCHAR(16)')}, IN p_stage ${text('VARCHAR(64)')}, ` +
        `IN p_log ${text('LONGTEXT')}, IN p_last_update DATETIME(3), IN p_version INT, ` +
        `IN p_kind ${text('VARCHAR(16)')}, IN p_previous_status ${text('VARCHAR(16)')}, IN p_previous_stage ${text('VARCHAR(64)')}, ` +
        `IN p_changed_by ${text('VARCHAR(128)')}) ` +
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
