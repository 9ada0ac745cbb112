import { type MigrationInterface, type QueryRunner, Table } from 'typeorm';

/**
 * One row that every writer locks right before it inserts a task event and holds until it
 * commits. Event ids are then handed out in commit order: whoever has seen event N can never
 * later see a smaller id commit, so a feed resumed `after: N` misses nothing.
 */
export class EventClock1764300000000 implements MigrationInterface {
  name = 'EventClock1764300000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.createTable(
      new Table({
        name: 'task_event_clock',
        columns: [
          { name: 'id', type: 'integer', isPrimary: true },
          { name: 'ticks', type: 'bigint', default: 0 },
        ],
      }),
    );
    await queryRunner.query('INSERT INTO task_event_clock (id, ticks) VALUES (1, 0)');
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('task_event_clock');
  }
}
