import { type MigrationInterface, type QueryRunner, Table, TableIndex } from 'typeorm';

/**
 * Signing keys. `keys` is a reserved word in MySQL: TypeORM quotes it here, and the key store
 * writes it in backticks, which both MySQL/MariaDB and SQLite accept.
 */
export class CreateKeys1764200000000 implements MigrationInterface {
  name = 'CreateKeys1764200000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.createTable(
      new Table({
        name: 'keys',
        columns: [
          { name: 'id', type: 'varchar', length: '32', isPrimary: true },
          { name: 'user_id', type: 'varchar', length: '128' },
          // `gcm:<iv>:<tag>:<ciphertext>` under TASKGATE_MASTER_KEY, or `plain:<secret>` without one.
          { name: 'secret', type: 'varchar', length: '255' },
          { name: 'role', type: 'varchar', length: '8' },
          { name: 'created_at', type: 'datetime', precision: 3 },
          { name: 'revoked_at', type: 'datetime', precision: 3, isNullable: true },
        ],
        indices: [new TableIndex({ name: 'idx_keys_user', columnNames: ['user_id'] })],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('keys');
  }
}
