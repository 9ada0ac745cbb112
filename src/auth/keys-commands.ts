import type { DataSource } from 'typeorm';
import { Database } from '../db/database';
import { type KeyInfo, KeyStore, type Role } from './keys/key-store';
import { SecretBox } from './keys/secret-box';
import { contentMd5, signParts } from './signature';

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
  user: string;
  secret: string;
  date?: Date;
}

/** The headers that sign a request (Content-MD5 whenever there is a body). */
export function signRequest(request: RequestToSign): Record<string, string> {
  const url = new URL(request.url);
  const method = request.method.toUpperCase();
  const body = request.body ?? '';
  const contentType = request.contentType ?? (body ? 'application/json' : '');
  const md5 = body ? contentMd5(body) : '';
  const date = (request.date ?? new Date()).toUTCString();
  const signature = signParts(request.secret, { method, host: url.host, contentMd5: md5, contentType, date, path: url.pathname });
  const headers: Record<string, string> = { 'X-VirtShell-Authorization': `${request.user}:${signature}`, Date: date };
  if (md5) headers['Content-MD5'] = md5;
  if (contentType) headers['Content-Type'] = contentType;
  return headers;
}
