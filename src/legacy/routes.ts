import type { IncomingHttpHeaders } from 'node:http';
import type { TaskStatus } from '../tasks/task-status';
import { documentNotFound, LegacyFailure } from './failure';
import type { OperationName } from './operations';
import { type CheckedBody, expectedVersionOf, type FieldSpec, noneMatchHits, statusNamed } from './request';
import { etagOf, type GraphqlTask, type Spelling, toLegacyTask } from './shapes';

/**
 * The legacy Tasks API, whole: every route, the fixed GraphQL operation it runs, how it takes
 * variables from the path, query and body, and how it shapes the result into legacy JSON.
 * The HTTP adapter (http-adapter.ts) serves this table and openapi.ts documents it; nothing
 * else knows a legacy route.
 */

export type Method = 'GET' | 'POST' | 'PUT';

/**
 * A path parameter. `id`: any segment (the task uuid; GraphQL validates it). `status`: a status
 * name, possibly missing (then 400, not 404). `statusName`: the segment matches only when it is
 * a known status name, so `/tasks/sucess` lists tasks while `/tasks/<uuid>` is a task.
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
  verb?: 'create' | 'update';
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
  filter(input: RouteInput): { status?: TaskStatus };
}

/**
 * A Server-Sent Events stream of status changes from the event feed (event-stream.ts); the
 * filter and resume point come from the query and Last-Event-ID. Answers `text/event-stream`.
 */
export interface EventsRoute extends RouteBase {
  kind: 'events';
}

export type LegacyRoute = OperationRoute | ListRoute | EventsRoute;

const statusParam: ParamSpec = { kind: 'status', description: 'pending, in progress (in%20progress), sucess (or success), failed' };

const listResponses: ResponseDocs = {
  200: ['TaskList', 'The tasks in creation order; with `limit`, one page and the `next` cursor (null on the last page).'],
  400: ['Error', 'Unknown status, or a bad `limit` or `after`.'],
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
    kind: 'operation',
    name: 'createTask',
    method: 'POST',
    path: '/tasks',
    summary: 'Creates a task. created.by is the authenticated caller, never taken from the body.',
    operation: 'createTask',
    verb: 'create',
    body: {
      description: { type: 'string', required: true, description: '1 to 1024 characters.' },
      status: { type: 'status', description: 'pending (default) or in progress.' },
      type: { type: 'string', description: 'Lowercase identifier such as create_instance.' },
      object_uuid: { type: 'string', description: 'Uuid of the object the task acts on.' },
      log: { type: 'string', description: 'Summary of the task, at most 65,535 bytes.' },
      uuid: { type: 'string', description: 'Optional id for the new task (a UUID); generated when absent.' },
    },
    variables: ({ body }) => ({
      input: { id: body.uuid, description: body.description, status: body.status, type: body.type, objectUuid: body.object_uuid, log: body.log },
    }),
    reply: (data) => ({
      status: 200,
      body: { create: 'success', task_id: data.createTask.id },
      headers: { etag: etagOf(data.createTask.version) },
    }),
    responses: {
      200: ['CreateResult', 'Created (200 as in the reference, not 201: legacy callers read only the body).'],
      400: ['WriteError', 'Bad JSON, a missing description, a wrong type, an unknown status or a status a task cannot start in.'],
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
      'Server-Sent Events: one `status` event per committed status change (creations included), in id order, each once. Each message: `id: <event id>`, `event: status`, `data: {"uuid", "status", "previous_status", "log", "at", "by", "version"}`. Reconnect with Last-Event-ID (EventSource does) to get exactly what was missed.',
    query: {
      status: `Only changes into this status (${statusParam.description}).`,
      id: 'Only this task (a uuid, any case).',
      after: 'Replay stored events with a greater id first, then go live; Last-Event-ID wins when both are given.',
    },
    headers: { 'Last-Event-ID': 'The id of the last event received: replay everything after it, then go live.' },
    responses: {
      200: [null, 'A text/event-stream of `status` events, with keep-alive comments; closed at shutdown or when the client falls too far behind (resume with Last-Event-ID).'],
      400: ['Error', 'Unknown status, an id that is not a UUID, or a Last-Event-ID / after that is not an event id.'],
      406: ['Error', 'The Accept header rules out both text/event-stream and application/json.'],
    },
  },
  {
    kind: 'list',
    name: 'listTasksByStatus',
    method: 'GET',
    path: '/tasks/status/{status}',
    summary: 'Tasks with one status, in creation order (empty list when none).',
    params: { status: statusParam },
    filter: ({ params }) => ({ status: statusNamed(params.status) }),
    responses: listResponses,
  },
  {
    kind: 'list',
    name: 'listTasksByStatusSegment',
    method: 'GET',
    path: '/tasks/{status}',
    summary: 'The same listing as /tasks/status/{status}, when the segment is a status name (the reference example calls /tasks/sucess).',
    params: { status: { kind: 'statusName', description: `A status name lists the tasks with that status (${statusParam.description})` } },
    filter: ({ params }) => ({ status: statusNamed(params.status) }),
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
      if (!task) throw new LegacyFailure(404, documentNotFound);
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
    summary: 'Changes the status, the log, or both. With If-Match: <version>, only that version is changed.',
    params: { id: { kind: 'id', description: 'Task uuid.' } },
    operation: 'updateTask',
    verb: 'update',
    headers: { 'If-Match': 'The version the change applies to: the ETag ("3") or a bare number (3); 412 when the task has moved on.' },
    body: {
      status: { type: 'status', description: 'The new status; the state machine decides what is allowed.' },
      log: { type: 'string', description: 'Replaces the log; kept in the task history.' },
    },
    variables: ({ params, body, headers }) => ({
      id: params.id,
      input: { status: body.status, log: body.log },
      expectedVersion: expectedVersionOf(headerValue(headers['if-match'])),
    }),
    reply: (data) => ({ status: 200, body: { update: 'success' }, headers: { etag: etagOf(data.updateTask.version) } }),
    responses: {
      200: ['UpdateResult', '`{"update": "success"}`'],
      400: ['WriteError', 'Bad JSON, a wrong type, an unknown status, neither status nor log, or a malformed id.'],
      404: ['WriteError', '`{"update": "error", "reason": "document not found"}`'],
      409: ['WriteError', 'The state machine refuses the change (e.g. sucess -> pending).'],
      412: ['WriteError', 'If-Match does not name the current version.'],
    },
  },
];

function headerValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value.join(', ') : value;
}
