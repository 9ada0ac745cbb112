import { BadWord, normaliseWord } from './status-words';
import { badInput } from './task.errors';

const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const typePattern = /^[a-z][a-z0-9_]{0,63}$/;

export const limits = {
  descriptionChars: 1024,
  /** Default of TASKGATE_MAX_LOG_BYTES: the docker plugin's provisioner stdout runs to several MB. */
  logBytes: 8_388_608,
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

/** A log of at most `maxBytes` UTF-8 bytes (TASKGATE_MAX_LOG_BYTES). */
export function logField(value: string, maxBytes: number = limits.logBytes): string {
  wellFormed('log', value);
  // Counted without encoding a copy: a multi-MB log is checked in place.
  if (value.length > maxBytes || Buffer.byteLength(value, 'utf8') > maxBytes) throw badInput('log', `must be at most ${maxBytes} bytes`);
  return value;
}

/** A status word, normalised (status-words.ts); BAD_USER_INPUT naming the field otherwise. */
export function stageField(field: string, value: string): string {
  try {
    return normaliseWord(value);
  } catch (error) {
    if (error instanceof BadWord) throw badInput(field, error.message);
    throw error;
  }
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
