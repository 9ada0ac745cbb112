import { badInput } from './task.errors';

const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const typePattern = /^[a-z][a-z0-9_]{0,63}$/;

export const limits = {
  descriptionChars: 1024,
  // MySQL TEXT holds 65,535 bytes; the log is bounded by bytes so both databases take it whole.
  logBytes: 65_535,
} as const;

/** A uuid in any case, returned in lowercase; BAD_USER_INPUT naming the field otherwise. */
export function uuidField(field: string, value: string): string {
  if (!uuidPattern.test(value)) throw badInput(field, 'must be a UUID like 3f2c1a9e-0b7d-4c55-9a61-2f0e8d4b7c10');
  return value.toLowerCase();
}

export function isUuid(value: string): boolean {
  return uuidPattern.test(value);
}

export function descriptionField(value: string): string {
  wellFormed('description', value);
  if (value.trim().length === 0) throw badInput('description', 'must not be empty');
  if (codePoints(value) > limits.descriptionChars) {
    throw badInput('description', `must be at most ${limits.descriptionChars} characters`);
  }
  return value;
}

export function typeField(value: string): string {
  if (!typePattern.test(value)) {
    throw badInput('type', 'must be lowercase letters, digits and underscores, starting with a letter, at most 64 (e.g. create_instance)');
  }
  return value;
}

export function logField(value: string): string {
  wellFormed('log', value);
  if (Buffer.byteLength(value, 'utf8') > limits.logBytes) throw badInput('log', `must be at most ${limits.logBytes} bytes`);
  return value;
}

/** Lone UTF-16 surrogates cannot be stored as UTF-8; refuse them rather than fail in the database. */
function wellFormed(field: string, value: string): void {
  if (!value.isWellFormed()) throw badInput(field, 'must be valid Unicode text');
}

function codePoints(value: string): number {
  let count = 0;
  for (const _ of value) count++;
  return count;
}
