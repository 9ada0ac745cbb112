import type { Database } from '../../db/database';
import { parseDbTime } from '../../db/database';
import { newKeyId, newSecret, type SecretBox } from './secret-box';

export type Role = 'read' | 'write';

/** A key as listed: never the secret. */
export interface KeyInfo {
  id: string;
  user: string;
  role: Role;
  created: Date;
  revoked: Date | null;
}

/** An active key with its secret opened (undefined when the master key cannot open it). */
export interface ActiveKey {
  id: string;
  user: string;
  role: Role;
  secret: string | undefined;
}

/** The `keys` table. SQL in backticks: `keys` is reserved in MySQL (SQLite accepts backticks too). */
export class KeyStore {
  constructor(
    private readonly db: Database,
    private readonly box: SecretBox,
  ) {}

  /** Creates a key and returns its secret: the one and only time it is shown. */
  async create(user: string, role: Role): Promise<{ id: string; user: string; role: Role; secret: string }> {
    const problem = userIdProblem(user);
    if (problem) throw new Error(problem);
    if (role !== 'read' && role !== 'write') throw new Error('a role is "read" or "write"');
    const id = newKeyId();
    const secret = newSecret();
    await this.db.transaction((tx) =>
      tx.write('INSERT INTO `keys` (id, user_id, secret, role, created_at, revoked_at) VALUES (?, ?, ?, ?, ?, NULL)', [id, user, this.box.seal(secret), role, new Date()]),
    );
    return { id, user, role, secret };
  }

  async list(): Promise<KeyInfo[]> {
    const rows = await this.db.select('SELECT id, user_id, role, created_at, revoked_at FROM `keys` ORDER BY created_at, id');
    return rows.map((row) => ({
      id: String(row.id),
      user: String(row.user_id),
      role: row.role as Role,
      created: parseDbTime(row.created_at),
      revoked: row.revoked_at == null ? null : parseDbTime(row.revoked_at),
    }));
  }

  /** Revokes one key by id; false when there is no such active key. */
  async revoke(id: string): Promise<boolean> {
    const result = await this.db.transaction((tx) => tx.write('UPDATE `keys` SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL', [new Date(), id]));
    return result.affected > 0;
  }

  /** Is the table empty (no key ever created, revoked ones included)? */
  async isEmpty(): Promise<boolean> {
    const rows = await this.db.select('SELECT id FROM `keys` LIMIT 1');
    return rows.length === 0;
  }

  /** Every active key, secrets opened. `opened` reuses secrets already opened (AES once per key). */
  async active(opened: Map<string, ActiveKey> = new Map()): Promise<ActiveKey[]> {
    const rows = await this.db.select('SELECT id, user_id, secret, role FROM `keys` WHERE revoked_at IS NULL');
    return rows.map((row) => {
      const id = String(row.id);
      const known = opened.get(id);
      if (known) return known;
      return { id, user: String(row.user_id), role: row.role === 'write' ? 'write' : 'read', secret: this.box.open(String(row.secret)) };
    });
  }
}

/** Why `user` cannot be a user id, or undefined when it can. */
export function userIdProblem(user: string): string | undefined {
  return /^[A-Za-z0-9._@-]{1,128}$/.test(user) ? undefined : 'a user id is 1-128 letters, digits, ".", "_", "@" or "-"';
}

/** `TASKGATE_KEYS=user:secret:role,...` (role defaults to write). Throws naming the bad entry, never echoing a secret. */
export function parseStaticKeys(spec: string): ActiveKey[] {
  return spec
    .split(',')
    .map((entry) => entry.trim())
    .filter(Boolean)
    .map((entry, index) => {
      const [user, secret, role = 'write', ...rest] = entry.split(':');
      if (!user || !secret || rest.length || (role !== 'read' && role !== 'write')) {
        throw new Error(`TASKGATE_KEYS entry ${index + 1} is not user:secret:role (role read or write)`);
      }
      return { id: `static:${index + 1}`, user, role, secret };
    });
}
