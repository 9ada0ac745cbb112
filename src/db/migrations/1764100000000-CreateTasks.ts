import { type MigrationInterface, type QueryRunner, Table, TableIndex } from 'typeorm';

/**
 * Tasks and their event log. Written with TypeORM's schema builder so the same migration
 * runs on SQLite and on MySQL/MariaDB; timestamps keep milliseconds (DATETIME(3)).
 */
export class CreateTasks1764100000000 implements MigrationInterface {
  name = 'CreateTasks1764100000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const isMysql = queryRunner.connection.driver.options.type !== 'better-sqlite3';
    await queryRunner.createTable(
      new Table({
        name: 'tasks',
        columns: [
          { name: 'uuid', type: 'varchar', length: '36', isPrimary: true },
          { name: 'description', type: 'varchar', length: '1024' },
          { name: 'status', type: 'varchar', length: '16' },
          { name: 'type', type: 'varchar', length: '64', isNullable: true },
          { name: 'object_uuid', type: 'varchar', length: '36', isNullable: true },
          { name: 'created_at', type: 'datetime', precision: 3 },
          { name: 'created_by', type: 'varchar', length: '128' },
          { name: 'last_update', type: 'datetime', precision: 3 },
          { name: 'log', type: 'text', isNullable: true },
          { name: 'version', type: 'integer', default: 1 },
        ],
        indices: [
          new TableIndex({ name: 'idx_tasks_created', columnNames: ['created_at', 'uuid'] }),
          new TableIndex({ name: 'idx_tasks_status_created', columnNames: ['status', 'created_at', 'uuid'] }),
          new TableIndex({ name: 'idx_tasks_type_created', columnNames: ['type', 'created_at', 'uuid'] }),
          new TableIndex({ name: 'idx_tasks_object_created', columnNames: ['object_uuid', 'created_at', 'uuid'] }),
        ],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'task_events',
        columns: [
          isMysql
            ? { name: 'id', type: 'bigint', isPrimary: true, isGenerated: true, generationStrategy: 'increment' }
            : // SQLite only auto-increments an INTEGER PRIMARY KEY (a 64-bit rowid).
              { name: 'id', type: 'integer', isPrimary: true, isGenerated: true, generationStrategy: 'increment' },
          { name: 'task_uuid', type: 'varchar', length: '36' },
          { name: 'version', type: 'integer' },
          { name: 'status', type: 'varchar', length: '16' },
          { name: 'previous_status', type: 'varchar', length: '16', isNullable: true },
          { name: 'log', type: 'text', isNullable: true },
          { name: 'changed_at', type: 'datetime', precision: 3 },
          { name: 'changed_by', type: 'varchar', length: '128' },
        ],
        indices: [
          // One event per task version: a second writer of the same version fails instead of forking history.
          new TableIndex({ name: 'uq_task_events_task_version', columnNames: ['task_uuid', 'version'], isUnique: true }),
          new TableIndex({ name: 'idx_task_events_status', columnNames: ['status', 'id'] }),
        ],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('task_events');
    await queryRunner.dropTable('tasks');
  }
}
