import type { Database } from '../../db/database';
import type { SecretBox } from './secret-box';

/**
 * Encrypts, under the master key, every secret in the keys table that was stored before a master
 * key was set (`plain:...`); returns how many it sealed. Safe to run on several instances at
 * once: each row is rewritten only if it still holds the plaintext that was read.
 */
export async function sealStoredSecrets(db: Database, box: SecretBox): Promise<number> {
  if (!box.encrypts) throw new Error('set TASKGATE_MASTER_KEY first: there is nothing to seal the secrets with');
  const rows = await db.select("SELECT id, secret FROM `keys` WHERE secret LIKE 'plain:%'");
  let sealed = 0;
  for (const row of rows) {
    const stored = String(row.secret);
    const secret = box.open(stored) as string;
    const result = await db.transaction((tx) => tx.write('UPDATE `keys` SET secret = ? WHERE id = ? AND secret = ?', [box.seal(secret), row.id, stored]));
    sealed += result.affected;
  }
  return sealed;
}
