import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';

/**
 * How signing secrets are kept in the `keys` table. HMAC needs the secret itself to verify, so
 * it cannot be hashed away. With TASKGATE_MASTER_KEY set, each secret is sealed with AES-256-GCM
 * under a key derived from it (`gcm:<iv>:<tag>:<ciphertext>`, base64): a copy of the database
 * alone reveals nothing. Without a master key secrets are stored as they are (`plain:<secret>`)
 * and taskgate warns at every start: anyone who can read the database can sign requests.
 */
export class SecretBox {
  private readonly key: Buffer | undefined;

  constructor(masterKey: string) {
    // SHA-256 turns any master key string into the 32 bytes AES-256 needs.
    this.key = masterKey ? createHash('sha256').update(`taskgate keys v1\0${masterKey}`).digest() : undefined;
  }

  get encrypts(): boolean {
    return this.key !== undefined;
  }

  seal(secret: string): string {
    if (!this.key) return `plain:${secret}`;
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    const sealed = Buffer.concat([cipher.update(secret, 'utf8'), cipher.final()]);
    return ['gcm', iv.toString('base64'), cipher.getAuthTag().toString('base64'), sealed.toString('base64')].join(':');
  }

  /** The secret, or undefined when it was sealed under another (or no) master key. */
  open(stored: string): string | undefined {
    if (stored.startsWith('plain:')) return stored.slice('plain:'.length);
    const [scheme, iv, tag, sealed] = stored.split(':');
    if (scheme !== 'gcm' || !this.key || !iv || !tag || sealed === undefined) return undefined;
    try {
      const decipher = createDecipheriv('aes-256-gcm', this.key, Buffer.from(iv, 'base64'));
      decipher.setAuthTag(Buffer.from(tag, 'base64'));
      return Buffer.concat([decipher.update(Buffer.from(sealed, 'base64')), decipher.final()]).toString('utf8');
    } catch {
      return undefined;
    }
  }
}

/** A new signing secret: 30 random bytes, base64url (40 characters, no padding). */
export function newSecret(): string {
  return randomBytes(30).toString('base64url');
}

/** A new key id: short, random, safe in a shell and a URL. */
export function newKeyId(): string {
  return `k_${randomBytes(8).toString('hex')}`;
}
