import type { IncomingHttpHeaders } from 'node:http';
import { documentNotFound, LegacyFailure } from './failure';
import type { OperationName } from './operations';
import { type CheckedBody, expectedVersionOf, type FieldSpec, noneMatchHits, type WordFilter, wordFilter } from './request';
import { etagOf, type GraphqlTask, type Spelling, toLegacyTask, type Verb } from './shapes';

/**
 * The legacy Tasks API, whole: every route, the fixed GraphQL operation it runs, how it takes
 * variables from the path, query and body, and how it shapes the result into legacy JSON.
 * The HTTP adapter (http-adapter.ts) serves this table and openapi.ts documents it; nothing
 * else knows a legacy route.
 */

export type Method = 'GET' | 'POST' | 'PUT' | 'DELETE';

/**
 * A path parameter. `id`: any segment (the task uuid; GraphQL validates it). `status`: a status
 * word, possibly missing (then 400, not 404). `statusName`: the segment matches only when it is
 * a status word that does not look like an id (resources.ts isWordSegment), so `/tasks/sucess`
 * and `/tasks/dispatched` list tasks while `/tasks/<uuid>` is a task.
 */
export interface ParamSpec {
  kind: 'id' | 'status' | 'statusName';
  description: string;
}

/** What a route reads from a request, already decoded and checked against its declaration. */
export interface RouteInput {
  params: Record<string, string>;
  query: URLSearchParams;
  body: CheckedBody;
  headers: IncomingHttpHeaders;
  spelling: Spelling;
}

export interface Reply {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

/** For OpenAPI: response status -> [component schema name or null, description]. */
export type ResponseDocs = Record<number, [string | null, string]>;

interface RouteBase {
  name: string;
  method: Method;
  /** Relative to each legacy prefix; `{name}` segments are path parameters. */
  path: string;
  summary: string;
  params?: Record<string, ParamSpec>;
  body?: Record<string, FieldSpec>;
  /** Request headers the route reads, for OpenAPI: name -> meaning. */
  headers?: Record<string, string>;
  /** Query parameters the route reads (beyond a listing's limit and after), for OpenAPI: name -> meaning. */
  query?: Record<string, string>;
  /** Write routes answer errors in the verb form: `{"update": "error", "reason": ...}`. */
  verb?: Verb;
  responses: ResponseDocs;
}

/** Runs one operation and shapes its data. */
export interface OperationRoute extends RouteBase {
  kind: 'operation';
  operation: OperationName;
  variables(input: RouteInput): Record<string, unknown>;
  reply(data: Record<string, any>, input: RouteInput): Reply;
}

/**
 * Lists tasks through the `taskPage` operation as `{"tasks": [...]}`: streamed page by page,
 * or one page with `?limit=` (and `?after=`), answered with the `next` cursor.
 */
export interface ListRoute extends RouteBase {
  kind: 'list';
  filter(input: RouteInput): WordFilter | Record<string, never>;
}

/**
 * A Server-Sent Events stream of status changes from the event feed (event-stream.ts); the
 * filter and resume point come from the query and Last-Event-ID. Answers `text/event-stream`.
 */
export interface EventsRoute extends RouteBase {
  kind: 'events';
}

/** A method refused on purpose, with the reason (e.g. deleting every task): 405 and the route's `reason`. */
export interface RefusedRoute extends RouteBase {
  kind: 'refused';
  reason: string;
}

export type LegacyRoute = OperationRoute | ListRoute | EventsRoute | RefusedRoute;

const wordsInBrief =
  'a status word: the documented pending, in progress (in%20progress), sucess (or success), failed list their whole phase (e.g. every task waiting); any other word (dispatching, dispatched, provisioned, error, ...) lists the tasks with that word';

const statusParam: ParamSpec = { kind: 'status', description: `The status: ${wordsInBrief}.` };

const listResponses: ResponseDocs = {
  200: ['TaskList', 'The tasks in creation order; with `limit`, one page and the `next` cursor (null on the last page).'],
  400: ['Error', 'A status that is not a word (letters, digits, spaces, _ and -, at most 64), or a bad `limit` or `after`.'],
};

export const legacyRoutes: readonly LegacyRoute[] = [
  {
    kind: 'list',
    name: 'listTasks',
    method: 'GET',
    path: '/tasks',
    summary: 'All tasks, in creation order (streamed; memory stays flat however many there are).',
    filter: () => ({}),
    responses: listResponses,
  },
  {
    kind: 'refused',
    name: 'deleteAllTasks',
    method: 'DELETE',
    path: '/tasks',
    summary: 'Refused: the original deleted every task here; taskgate does not offer that in one call.',
    reason: 'DELETE /tasks/ would delete every task and is not served; delete tasks one at a time with DELETE /tasks/<uuid>',
    responses: { 405: ['Error', 'Always, with the reason; `Allow` names GET, POST.'] },
  },
  {
    kind: 'operation',
    name: 'createTask',
    method: 'POST',
    path: '/tasks',
    summary: 'Creates a task. created.by is the authenticated caller, never taken from the body.',
    operation: 'createTask',
    verb: 'create',
    body: {
      description: { type: 'string', required: true, description: '1 to 1024 characters.' },
      status: { type: 'status', description: 'A status word of the pending or in progress phase (default pending), e.g. received.' },
      type: { type: 'string', description: 'Lowercase identifier such as create_instance.' },
      object_uuid: { type: 'string', description: 'Uuid of the object the task acts on.' },
      log: { type: 'string', description: 'Summary of the task, at most 8 MiB (TASKGATE_MAX_LOG_BYTES).' },
      uuid: { type: 'string', description: 'Optional id for the new task (a UUID); generated when absent.' },
    },
    variables: ({ body }) => ({
      input: { id: body.uuid, description: body.description, stage: body.status, type: body.type, objectUuid: body.object_uuid, log: body.log },
    }),
    reply: (data) => ({
      status: 200,
      body: { create: 'success', task_id: data.createTask.id },
      headers: { etag: etagOf(data.createTask.version) },
    }),
    responses: {
      200: ['CreateResult', 'Created (200 as in the reference, not 201: legacy callers read only the body).'],
      400: ['WriteError', 'Bad JSON, a missing description, a wrong type, a status that is not a word, or a word whose phase a task cannot start in.'],
      409: ['WriteError', 'A task with that uuid already exists.'],
    },
  },
  {
    // Before /tasks/{id}, which would otherwise take "events" for a malformed id.
    kind: 'events',
    name: 'taskEvents',
    method: 'GET',
    path: '/tasks/events',
    summary:
      'Server-Sent Events: one event per committed change of status word (creations included; log-only updates not), in id order, each once. Each message is unnamed (EventSource `onmessage`): `id: <event id>`, `data: {"uuid", "kind", "status", "previous_status", "phase", "log", "at", "by", "version"}`: `status` is the word, `phase` the lifecycle phase, `kind` created, updated or deleted. Reconnect with Last-Event-ID (EventSource does) to get exactly what was missed.',
    query: {
      status: `Only changes into this status: ${wordsInBrief}.`,
      id: 'Only this task (a uuid, any case).',
      after: 'Replay stored events with a greater id first, then go live; Last-Event-ID wins when both are given.',
    },
    headers: { 'Last-Event-ID': 'The id of the last event received: replay everything after it, then go live.' },
    responses: {
      200: [null, 'A text/event-stream of `status` events, with keep-alive comments; closed at shutdown or when the client falls too far behind (resume with Last-Event-ID).'],
      400: ['Error', 'A status that is not a word, an id that is not a UUID, or a Last-Event-ID / after that is not an event id.'],
      406: ['Error', 'The Accept header rules out both text/event-stream and application/json.'],
    },
  },
  {
    kind: 'list',
    name: 'listTasksByStatus',
    method: 'GET',
    path: '/tasks/status/{status}',
    summary: 'Tasks by status word, in creation order (empty list when none). The documented four list their phase: /tasks/status/pending is every task not yet started.',
    params: { status: statusParam },
    filter: ({ params }) => wordFilter(params.status),
    responses: listResponses,
  },
  {
    kind: 'list',
    name: 'listTasksByStatusSegment',
    method: 'GET',
    path: '/tasks/{status}',
    summary:
      'The same listing as /tasks/status/{status}, when the segment is a status word and not shaped like an id (the reference example calls /tasks/sucess). A segment of 32 or more hex digits and hyphens is a task id; a word such as `events` or `status` is listed at /tasks/status/{status} only.',
    params: { status: { kind: 'statusName', description: `The status: ${wordsInBrief}.` } },
    filter: ({ params }) => wordFilter(params.status),
    responses: listResponses,
  },
  {
    kind: 'operation',
    name: 'getTask',
    method: 'GET',
    path: '/tasks/{id}',
    summary: 'One task by id (any case in, lowercase out), with its version as ETag.',
    params: { id: { kind: 'id', description: 'Task uuid.' } },
    operation: 'taskById',
    headers: { 'If-None-Match': 'An ETag from an earlier GET; 304 when the task is still at that version.' },
    variables: ({ params }) => ({ id: params.id }),
    reply: (data, { headers, spelling }) => {
      const task = data.task as GraphqlTask | null;
      if (!task) throw new LegacyFailure(404, documentNotFound, {}, 'TASK_NOT_FOUND');
      const etag = etagOf(task.version);
      if (noneMatchHits(headerValue(headers['if-none-match']), etag)) return { status: 304, headers: { etag } };
      return { status: 200, body: toLegacyTask(task, spelling), headers: { etag } };
    },
    responses: {
      200: ['Task', 'The task object itself.'],
      304: [null, 'If-None-Match named the current ETag.'],
      400: ['Error', 'The id is not a UUID.'],
      404: ['Error', '`{"error": "document not found"}`'],
    },
  },
  {
    kind: 'operation',
    name: 'updateTask',
    method: 'PUT',
    path: '/tasks/{id}',
    summary:
      'Changes the status word, the log, or both. Any word is accepted; its phase (phase table) decides what the state machine allows. With If-Match: <version>, only that version is changed.',
    params: { id: { kind: 'id', description: 'Task uuid.' } },
    operation: 'updateTask',
    verb: 'update',
    headers: { 'If-Match': 'The version the change applies to: the ETag ("3") or a bare number (3); 412 when the task has moved on.' },
    body: {
      status: { type: 'status', description: 'The new status word (stored as written, lower case); a word of another phase must be a step the state machine allows.' },
      log: { type: 'string', description: 'Replaces the log (at most 8 MiB, TASKGATE_MAX_LOG_BYTES); kept in the task history.' },
    },
    variables: ({ params, body, headers }) => ({
      id: params.id,
      input: { stage: body.status, log: body.log },
      expectedVersion: expectedVersionOf(headerValue(headers['if-match'])),
    }),
    reply: (data) => ({ status: 200, body: { update: 'success' }, headers: { etag: etagOf(data.updateTask.version) } }),
    responses: {
      200: ['UpdateResult', '`{"update": "success"}`'],
      400: ['WriteError', 'Bad JSON, a wrong type, a status that is not a word, neither status nor log, a log over the limit, or a malformed id.'],
      404: ['WriteError', '`{"update": "error", "reason": "document not found"}`'],
      409: ['WriteError', 'The state machine refuses the change of phase (e.g. error -> dispatching: a failed task stays failed). Nothing is written.'],
      412: ['WriteError', 'If-Match does not name the current version.'],
    },
  },
  {
    kind: 'operation',
    name: 'deleteTask',
    method: 'DELETE',
    path: '/tasks/{id}',
    summary:
      'Deletes a task (write keys). Its history stays in task_events; the deletion is an event too (SSE `kind: "deleted"`, GraphQL TaskEvent kind DELETED).',
    params: { id: { kind: 'id', description: 'Task uuid.' } },
    operation: 'deleteTask',
    verb: 'delete',
    variables: ({ params }) => ({ id: params.id }),
    reply: () => ({ status: 200, body: { delete: 'success' } }),
    responses: {
      200: ['DeleteResult', '`{"delete": "success"}`'],
      400: ['WriteError', 'A malformed id.'],
      403: ['WriteError', 'A read-only key.'],
      404: ['WriteError', '`{"delete": "error", "reason": "document not found"}`'],
    },
  },
];

function headerValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value.join(', ') : value;
}
