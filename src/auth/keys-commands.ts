import type { DataSource } from 'typeorm';
import { Database } from '../db/database';
import { type KeyInfo, KeyStore, type Role } from './keys/key-store';
import { sealStoredSecrets } from './keys/seal';
import { SecretBox } from './keys/secret-box';

/**
 * The `taskgate keys ...`, `taskgate sign` and `taskgate call` commands as plain functions, so
 * the CLI parser (and tests) can call them. None of them logs a secret; `createKey` returns the
 * new secret for the caller to print once.
 */
function storeOn(dataSource: DataSource, masterKey: string): KeyStore {
  return new KeyStore(new Database(dataSource), new SecretBox(masterKey));
}

export function createKey(dataSource: DataSource, options: { user: string; role?: Role; masterKey?: string }) {
  return storeOn(dataSource, options.masterKey ?? '').create(options.user, options.role ?? 'write');
}

export function listKeys(dataSource: DataSource): Promise<KeyInfo[]> {
  return storeOn(dataSource, '').list();
}

/** Encrypts the secrets stored before TASKGATE_MASTER_KEY was set; returns how many. */
export function sealKeys(dataSource: DataSource, masterKey: string): Promise<number> {
  return sealStoredSecrets(new Database(dataSource), new SecretBox(masterKey));
}

/** Revokes a key by id; running servers stop accepting it within TASKGATE_KEYS_REFRESH seconds. */
export function revokeKey(dataSource: DataSource, id: string): Promise<boolean> {
  return storeOn(dataSource, '').revoke(id);
}
