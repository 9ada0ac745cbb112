import type { IncomingMessage, ServerResponse } from 'node:http';
import { AuthError, type Authenticator } from '../auth/authenticate';
import type { Caller, Context } from '../context';
import type { FairShare } from '../fairness/fair-share';
import { openOrRefuse } from '../fairness/refusals';
import { BodyTimeout, BodyTooLarge, closeUnreadBody, requestBody } from '../http/body';
import { sendJson } from '../http/respond';
import type { HttpRoute } from '../http/router';
import type { GraphqlPipeline } from '../graphql/pipeline';
import type { Logger } from '../ops/logger';
import { recordOf } from '../ops/request-log';
import { acceptsEventStream, type EventStreams, feedRequest } from './event-stream';
import { createOperationExecutor, type OperationExecutor } from './executor';
import { badRequest, LegacyFailure } from './failure';
import { openapiDocument } from './openapi';
import { acceptsJson, checkBody, spellingOf } from './request';
import { matchResource, resourcesOf } from './resources';
import { legacyRoutes, type ListRoute, type Method, type RouteInput } from './routes';
import { errorBody, toLegacyTask, type Verb } from './shapes';
import { streamTaskList, type TaskPageData } from './stream';

export interface LegacyOptions {
  /** The one GraphQL document pipeline (graphql/pipeline.ts) the fixed operations go through. */
  pipeline: GraphqlPipeline;
  authenticator: Authenticator;
  contextFor(caller: Caller): Context;
  logger: Logger;
  /** Normalised prefixes ("" is the root), longest first. */
  prefixes: readonly string[];
  bodyLimitBytes: number;
  /** How long the body may take to arrive once the headers were authenticated. */
  bodyTimeoutMs: number;
  /** Page size of streamed listings and the largest `?limit=`. */
  maxPageSize: number;
  /** Serves GET /tasks/events (Server-Sent Events from the event feed). */
  eventStreams: EventStreams;
  /** Per-key ceilings on open event streams and streamed listings (429 with Retry-After beyond them). */
  fairShare: FairShare;
}

const openapiPath = '/openapi.json';

/**
 * Serves the route table (routes.ts) over node:http at every configured prefix: matches the
 * path, checks method and Accept, authenticates from the headers, reads the body (checked
 * against the signature), checks the input, claims a write's signature, runs the route's GraphQL
 * operation and writes the shaped reply. Every refusal is JSON.
 */
export function legacyHttpRoute(options: LegacyOptions): HttpRoute {
  const executor = createOperationExecutor(options.pipeline, options.logger);
  const resources = resourcesOf(legacyRoutes);
  const openapi = JSON.stringify(openapiDocument(legacyRoutes, options.prefixes, options.maxPageSize));

  const locate = (path: string): string | undefined => {
    for (const prefix of options.prefixes) {
      if (!path.startsWith(prefix)) continue;
      const rest = path.slice(prefix.length);
      if (rest === '/tasks' || rest.startsWith('/tasks/') || rest === openapiPath) return rest;
    }
    return undefined;
  };

  return {
    name: 'legacy-rest',
    matches: (path) => locate(path) !== undefined,
    async handle(req, res, path, search) {
      const rest = locate(path) as string;
      const method = req.method ?? 'GET';
      // The route's name labels the request's metrics and log line; a refusal adds its reason code.
      const record = recordOf(req);
      record.door = 'legacy-rest';
      const refuse = (status: number, code: string, body: unknown, headers?: Record<string, string>) => {
        record.reason = code;
        record.errorCodes = [code];
        sendJson(res, status, body, headers);
      };
      if (rest === openapiPath) {
        record.operation = 'openapi';
        if (method !== 'GET') return refuse(405, 'METHOD_NOT_ALLOWED', { error: `${openapiPath} allows GET` }, { allow: 'GET' });
        res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(openapi) });
        res.end(openapi);
        return;
      }
      let verb: Verb | undefined;
      try {
        const match = matchResource(resources, rest);
        if (!match) {
          record.operation = 'noRoute';
          return refuse(404, 'NO_ROUTE', { error: `no route for ${method} ${path}` });
        }
        const route = match.resource.methods.get(method as Method);
        // Methods refused on purpose are not offered in Allow.
        const allow = [...match.resource.methods.values()].filter((r) => r.kind !== 'refused').map((r) => r.method).join(', ');
        if (!route) {
          record.operation = 'methodNotAllowed';
          return refuse(405, 'METHOD_NOT_ALLOWED', { error: `${path} allows ${allow}` }, { allow });
        }
        record.operation = route.name;
        if (route.kind === 'refused') return refuse(405, 'METHOD_NOT_ALLOWED', { error: route.reason }, { allow });
        verb = route.verb;
        if (route.kind === 'events') {
          if (!acceptsEventStream(req.headers)) throw new LegacyFailure(406, 'this route answers text/event-stream (and refusals in application/json)');
        } else if (!acceptsJson(req.headers)) throw new LegacyFailure(406, 'this API answers only application/json');
        let caller: Caller;
        try {
          caller = await options.authenticator.authenticate({ method, path, search, headers: req.headers, presignable: route.kind === 'events' });
        } catch (error) {
          // Refused from the headers alone: the body is never received.
          if (error instanceof AuthError) closeUnreadBody(req, res);
          throw refusal(error);
        }
        record.user = caller.id;
        let raw: Buffer;
        try {
          // A body that came with the headers (and a GET's none) is taken from node's buffer as it is.
          raw = await requestBody(req, options.bodyLimitBytes, options.bodyTimeoutMs);
        } catch (error) {
          if (error instanceof BodyTooLarge) throw new LegacyFailure(413, error.message);
          if (error instanceof BodyTimeout) throw new LegacyFailure(408, error.message, { connection: 'close' });
          throw error;
        }
        try {
          await options.authenticator.acceptBody(caller, raw);
        } catch (error) {
          throw refusal(error);
        }
        const input: RouteInput = {
          params: match.params,
          query: new URLSearchParams(search),
          body: route.body ? checkBody(raw, route.body) : {},
          headers: req.headers,
          spelling: spellingOf(req.headers),
        };
        // A write whose input checked out is about to run: its signature is served once.
        if (method !== 'GET' && method !== 'HEAD') {
          await options.authenticator.claimWrite(caller).catch((error: unknown) => {
            throw refusal(error);
          });
        }
        // Any authenticated key may follow the events, as any may read the tasks.
        if (route.kind === 'events') return await serveEvents(res, caller, input, req, options);
        const context = options.contextFor(caller);
        if (route.kind === 'list') return await serveList(route, input, context, res, executor, options);
        const data = await executor.run(route.operation, route.variables(input), context);
        const reply = route.reply(data, input);
        if (reply.body === undefined) {
          res.writeHead(reply.status, reply.headers);
          res.end();
          return;
        }
        sendJson(res, reply.status, reply.body, reply.headers);
      } catch (error) {
        if (!(error instanceof LegacyFailure)) throw error;
        record.reason = error.code;
        record.errorCodes = [error.code];
        if (res.headersSent) return void res.destroy();
        sendJson(res, error.status, errorBody(verb, error.reason, error.details), error.headers);
      }
    },
  };
}

/** An authentication refusal in the legacy shape: the reason as `error`, with `message` and details beside it. */
function refusal(error: unknown): unknown {
  if (!(error instanceof AuthError)) return error;
  return new LegacyFailure(error.status, error.reason, {}, error.reason, { message: error.message, ...error.details });
}

/** GET /tasks/events: the stream ends (cleanly) as soon as the caller's key is revoked. */
async function serveEvents(res: ServerResponse, caller: Caller, input: RouteInput, req: IncomingMessage, options: LegacyOptions): Promise<void> {
  const request = feedRequest(input.query, req.headers);
  const release = await openOrRefuse(() => options.fairShare.open('sse', caller.id));
  const stopWatching = options.authenticator.onRevoked(() => {
    if (options.authenticator.isStillValid(caller) || res.writableEnded) return;
    res.end(': key revoked\n\n');
  });
  try {
    await options.eventStreams.serve(res, request, input.spelling);
  } finally {
    stopWatching();
    release();
  }
}

/** A listing: one page with `?limit=`, else the whole list streamed. */
async function serveList(route: ListRoute, input: RouteInput, context: Context, res: ServerResponse, executor: OperationExecutor, options: LegacyOptions): Promise<void> {
  const filter = route.filter(input);
  const after = input.query.get('after') || undefined;
  const limitParam = input.query.get('limit');
  // Pages are bounded in bytes by the task service too (a page of multi-MB logs holds only a few
  // tasks); a streamed listing also sizes its pages by the bytes of the last one (stream.ts).
  const fetchPage = async (from: string | undefined, first: number) =>
    (await executor.run('taskPage', { ...filter, first, after: from }, context)) as TaskPageData;
  if (limitParam === null || limitParam === '') {
    const release = await openOrRefuse(() => options.fairShare.open('listing', context.caller.id));
    try {
      return await streamTaskList(res, fetchPage, after, input.spelling, options.logger, options.maxPageSize);
    } finally {
      release();
    }
  }
  if (!/^\d{1,6}$/.test(limitParam) || Number(limitParam) < 1 || Number(limitParam) > options.maxPageSize) {
    throw badRequest(`limit: must be a whole number from 1 to ${options.maxPageSize}`);
  }
  const page = await fetchPage(after, Number(limitParam));
  const { edges, pageInfo } = page.tasks;
  sendJson(res, 200, {
    tasks: edges.map((edge) => toLegacyTask(edge.node, input.spelling)),
    next: pageInfo.hasNextPage ? pageInfo.endCursor : null,
  });
}
