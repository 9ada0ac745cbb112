import { TaskStatus } from './task-status';

/**
 * Status words: what legacy callers write as a task's `status` (`dispatching`, `setting up`,
 * `provisioned`, ...), stored as written and returned on every read. Each word belongs to one
 * lifecycle phase (TaskStatus), which the state machine, GraphQL clients and UIs use. Pure
 * logic: no database, no configuration reading (config.ts hands the table its overrides).
 */

export const maxWordChars = 64;

/** After normalising: ASCII letters, digits, spaces, `_` and `-` (ASCII, so MySQL and SQLite compare words alike). */
const wordPattern = /^[a-z0-9 _-]+$/;

/** Other spellings of the documented words, stored in the reference's spelling so one word lists one way. */
const aliases: ReadonlyMap<string, string> = new Map([
  ['success', 'sucess'],
  ['in_progress', 'in progress'],
]);

/** The reference's four words (`sucess` sic): each stands for its whole phase when listing. */
const documentedWords: Readonly<Record<TaskStatus, string>> = {
  [TaskStatus.PENDING]: 'pending',
  [TaskStatus.IN_PROGRESS]: 'in progress',
  [TaskStatus.SUCCESS]: 'sucess',
  [TaskStatus.FAILED]: 'failed',
};

/** Every word the original's own callers write (LEGACY-CALLERS.md), and its phase. */
const callerWords: Readonly<Record<string, TaskStatus>> = {
  // dispatcher
  dispatching: TaskStatus.IN_PROGRESS,
  dispatched: TaskStatus.IN_PROGRESS,
  error: TaskStatus.FAILED,
  // provisioning agent
  received: TaskStatus.IN_PROGRESS,
  // docker plugin
  'setting up': TaskStatus.IN_PROGRESS,
  creating: TaskStatus.IN_PROGRESS,
  created: TaskStatus.IN_PROGRESS,
  provisioning: TaskStatus.IN_PROGRESS,
  provisioned: TaskStatus.SUCCESS,
  // VirtualBox plugin
  registering: TaskStatus.IN_PROGRESS,
  registered: TaskStatus.IN_PROGRESS,
  assigning_properties: TaskStatus.IN_PROGRESS,
  assigned_properties: TaskStatus.IN_PROGRESS,
  creating_storage: TaskStatus.IN_PROGRESS,
  storage_created: TaskStatus.SUCCESS,
};

/** Why a word was refused, in words a caller can act on. */
export class BadWord extends Error {
  override name = 'BadWord';
}

/**
 * A status word as stored: lower case, surrounding spaces trimmed, runs of spaces as one, the
 * documented spellings `success` and `in_progress` as `sucess` and `in progress`.
 * Throws BadWord for an empty word, one over 64 characters or one with other characters.
 */
export function normaliseWord(written: string): string {
  const word = written.trim().replace(/ {2,}/g, ' ').toLowerCase();
  if (word === '') throw new BadWord('give a status word (e.g. pending, dispatching, provisioned)');
  if (word.length > maxWordChars) throw new BadWord(`a status word has at most ${maxWordChars} characters`);
  if (!wordPattern.test(word)) throw new BadWord(`${JSON.stringify(written)} is not a status word: use letters, digits, spaces, _ and -`);
  return aliases.get(word) ?? word;
}

/** True when `word` is one of the reference's four (in any accepted spelling). */
export function isDocumentedWord(word: string): boolean {
  const known = aliases.get(word) ?? word;
  return Object.values(documentedWords).includes(known);
}

/** The word a phase gets when it is set without one (GraphQL `status` alone): the reference's word. */
export function documentedWordOf(phase: TaskStatus): string {
  return documentedWords[phase];
}

/** How a word goes out: `sucess` unless the caller asked for the corrected spelling. */
export function wireWord(word: string, correctedSpelling: boolean): string {
  return correctedSpelling && word === documentedWords[TaskStatus.SUCCESS] ? 'success' : word;
}

/** Reads a phase name: PENDING, in_progress, "in progress", success or sucess, failed (any case). */
export function parsePhase(name: string): TaskStatus {
  const key = name.trim().toUpperCase().replace(/[ -]/g, '_');
  const phase = key === 'SUCESS' ? TaskStatus.SUCCESS : (TaskStatus as Record<string, TaskStatus>)[key];
  if (!phase) throw new BadWord(`${JSON.stringify(name)} is not a phase: use pending, in_progress, success or failed`);
  return phase;
}

/**
 * Reads `TASKGATE_STATUS_PHASES`: `word=phase` pairs separated by commas, e.g.
 * `queued=pending,rolled back=failed`. The documented four keep their phases.
 */
export function parsePhaseOverrides(spec: string): Map<string, TaskStatus> {
  const overrides = new Map<string, TaskStatus>();
  for (const [index, entry] of spec.split(',').entries()) {
    if (entry.trim() === '') continue;
    const equals = entry.lastIndexOf('=');
    if (equals < 0) throw new BadWord(`entry ${index + 1} (${JSON.stringify(entry.trim())}) is not word=phase`);
    const word = normaliseWord(entry.slice(0, equals));
    if (isDocumentedWord(word)) throw new BadWord(`${JSON.stringify(word)} is one of the documented four; its phase cannot change`);
    overrides.set(word, parsePhase(entry.slice(equals + 1)));
  }
  return overrides;
}

/** What the table says of one word. */
export interface WordPhase {
  phase: TaskStatus;
  /** False when the word is in no table and took the phase for unknown words. */
  known: boolean;
}

/** Which phase each word belongs to: the documented four, the callers' words, the configured overrides. */
export class PhaseTable {
  private readonly phases: ReadonlyMap<string, TaskStatus>;

  constructor(
    overrides: ReadonlyMap<string, TaskStatus> = new Map(),
    /** The phase of a word in no table. */
    readonly unknownPhase: TaskStatus = TaskStatus.IN_PROGRESS,
  ) {
    const documented = Object.entries(documentedWords).map(([phase, word]) => [word, phase as TaskStatus] as const);
    this.phases = new Map([...Object.entries(callerWords), ...overrides, ...documented]);
  }

  /** The phase of a normalised word. */
  phaseOf(word: string): WordPhase {
    const phase = this.phases.get(word);
    return phase === undefined ? { phase: this.unknownPhase, known: false } : { phase, known: true };
  }

  /** Every word the table knows, with its phase (for documentation and the OpenAPI examples). */
  entries(): [string, TaskStatus][] {
    return [...this.phases];
  }
}
