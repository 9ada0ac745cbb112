import { type MigrationInterface, type QueryRunner, Table, TableIndex } from 'typeorm';

/**
 * Signatures already served (the replay guard without Redis, src/auth/replay-guard.ts): one row
 * per claimed signature, kept until its date leaves the accepted window. In the database, so a
 * restart or a second instance on the same database still refuses a replayed write.
 */
export class ReplayClaims1764410000000 implements MigrationInterface {
  name = 'ReplayClaims1764410000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.createTable(
      new Table({
        name: 'replay_claims',
        columns: [
          // SHA-256 of `<keyId>:<signature>`, base64url: fixed size whatever a client sends.
          { name: 'fingerprint', type: 'varchar', length: '43', isPrimary: true },
          { name: 'expires_at', type: 'datetime', precision: 3 },
        ],
        indices: [new TableIndex({ name: 'idx_replay_claims_expires', columnNames: ['expires_at'] })],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('replay_claims');
  }
}
