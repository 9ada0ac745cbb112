import type { DataSource } from 'typeorm';
import { Database } from '../db/database';
import { type KeyInfo, KeyStore, type Role } from './keys/key-store';
import { SecretBox } from './keys/secret-box';
import { signRequestHeaders } from './signature';

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

/** Revokes a key by id; running servers stop accepting it within TASKGATE_KEYS_REFRESH seconds. */
export function revokeKey(dataSource: DataSource, id: string): Promise<boolean> {
  return storeOn(dataSource, '').revoke(id);
}

export interface RequestToSign {
  method: string;
  url: string;
  body?: string;
  contentType?: string;
  /** Access key id (`k_…`) or user id: either signs. */
  user: string;
  secret: string;
  date?: Date;
}

/** The headers that sign a request (signature version 2: the query signed, a millisecond date, Content-MD5 whenever there is a body). */
export function signRequest(request: RequestToSign): Record<string, string> {
  return signRequestHeaders({ ...request, principal: request.user });
}

/** Signs and sends a request; returns the status and body text. */
export async function callSigned(request: RequestToSign): Promise<{ status: number; body: string }> {
  const headers = signRequest(request);
  const response = await fetch(request.url, { method: request.method.toUpperCase(), headers, body: request.body || undefined });
  return { status: response.status, body: await response.text() };
}
