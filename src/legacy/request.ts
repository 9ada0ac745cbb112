import type { IncomingHttpHeaders } from 'node:http';
import Negotiator from 'negotiator';
import { BadWord, documentedWordOf, isDocumentedWord, normaliseWord } from '../tasks/status-words';
import { TaskStatus } from '../tasks/task-status';
import { badRequest, LegacyFailure } from './failure';
import type { Spelling } from './shapes';

/**
 * One field of a legacy JSON body, as the route table declares it (also the OpenAPI schema).
 * `status` is a status word: passed on as written, checked and normalised by the task service.
 */
export interface FieldSpec {
  type: 'string' | 'status';
  required?: boolean;
  description: string;
}

export type CheckedBody = Record<string, string | undefined>;

/** What a listing or feed filters on: a phase for the documented four, else the word itself. */
export type WordFilter = { status: TaskStatus } | { stage: string };

/**
 * Parses a body as JSON whatever its Content-Type says (the dispatcher sends none) and checks
 * it against the route's fields. Unknown fields are ignored, as the original did; null is absent.
 */
export function checkBody(raw: Buffer, fields: Record<string, FieldSpec>): CheckedBody {
  let value: unknown;
  const text = raw.toString('utf8').replace(/^\uFEFF/, '');
  if (text.trim() === '') throw badRequest('the request body must be a JSON object');
  try {
    value = JSON.parse(text);
  } catch {
    throw badRequest('the request body is not valid JSON');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw badRequest('the request body must be a JSON object');
  const body = value as Record<string, unknown>;
  const checked: CheckedBody = {};
  for (const [name, spec] of Object.entries(fields)) {
    const given = body[name];
    if (given === undefined || given === null) {
      if (spec.required) throw badRequest(`${name}: is required`);
      continue;
    }
    if (typeof given !== 'string') throw badRequest(`${name}: must be a string`);
    checked[name] = given;
  }
  return checked;
}

/**
 * The filter a status word in a path or query asks for. The documented four (`pending`,
 * `in progress`, `sucess`/`success`, `failed`) list their whole phase, as they always did, so
 * `/tasks/status/pending` is every task waiting; any other word lists the tasks with that word.
 */
export function wordFilter(written: string, field = 'status'): WordFilter {
  let word: string;
  try {
    word = normaliseWord(written);
  } catch (error) {
    if (error instanceof BadWord) throw badRequest(`${field}: ${error.message}`);
    throw error;
  }
  if (!isDocumentedWord(word)) return { stage: word };
  return { status: Object.values(TaskStatus).find((phase) => documentedWordOf(phase) === word) as TaskStatus };
}

/**
 * The version an `If-Match` header asks for: `"3"`, `W/"3"` or a bare `3`; undefined without
 * the header or with `*`. A tag that is no version of any task can never match: 412.
 */
export function expectedVersionOf(header: string | undefined): number | undefined {
  if (header === undefined) return undefined;
  const tags = header.split(',').map((t) => t.trim()).filter((t) => t !== '');
  if (tags.length === 0 || tags.includes('*')) return undefined;
  if (tags.length > 1) throw badRequest('If-Match: give one version');
  const digits = /^(?:W\/)?"?(\d{1,9})"?$/.exec(tags[0])?.[1];
  const version = digits === undefined ? 0 : Number(digits);
  if (version < 1) throw new LegacyFailure(412, 'If-Match does not match the current version of the task');
  return version;
}

/** True when an `If-None-Match` header names this ETag (for a 304 on GET by id). */
export function noneMatchHits(header: string | undefined, etag: string): boolean {
  if (!header) return false;
  return header.split(',').some((t) => {
    const tag = t.trim().replace(/^W\//, '');
    return tag === '*' || tag === etag || tag === etag.slice(1, -1);
  });
}

/** JSON is all the legacy API speaks: an Accept header that rules it out gets 406. */
export function acceptsJson(headers: IncomingHttpHeaders): boolean {
  // What nearly every caller sends, without parsing (Negotiator showed in the read profile).
  const accept = headers.accept;
  if (accept === undefined || accept === '*/*' || accept === 'application/json') return true;
  // Offered with its charset, so `application/json; charset=utf-8` in Accept matches too.
  return new Negotiator({ headers }).mediaType(['application/json; charset=utf-8']) !== undefined;
}

/** Header that opts a caller in to `success` instead of the legacy `sucess` in responses. */
export const spellingHeader = 'x-taskgate-status-spelling';

export function spellingOf(headers: IncomingHttpHeaders): Spelling {
  return String(headers[spellingHeader] ?? '').trim().toLowerCase() === 'corrected' ? 'corrected' : 'legacy';
}
