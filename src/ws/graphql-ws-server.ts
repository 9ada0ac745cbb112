import type { Server } from 'node:http';
import { type ExecutionResult, GraphQLError } from 'graphql';
import { type WebSocket, WebSocketServer } from 'ws';
import { AuthError, type Authenticator } from '../auth/authenticate';
import { presignParams } from '../auth/signature';
import type { AppConfig } from '../config';
import type { Caller, Context } from '../context';
import type { EventFeed } from '../events/event-feed';
import { isRefused } from '../graphql/documents';
import { withoutSuggestions } from '../graphql/introspection';
import type { Limits } from '../graphql/limits';
import type { GraphqlPipeline } from '../graphql/pipeline';
import { type FairShare, RateLimited, type Release } from '../fairness/fair-share';
import { rateLimitedCloseCode } from '../fairness/refusals';
import type { Logger } from '../ops/logger';
import { authenticateConnection } from './authenticate-connection';
import { refuseServerMessages } from './client-messages';
import { groupedSubscribe } from './grouped-subscribe';
import { type SocketDoor, SocketOperationContext } from './socket-context';
import { type SocketExtra, serveGraphqlWs } from './use-ws';

/** Close code for a socket refused or dropped by authentication (graphql-ws's Forbidden). */
export const forbiddenCloseCode = 4403;

/** Close code for a connection whose subscriber could not keep up (application range 4000-4399). */
export const slowConsumerCloseCode = 4008;

export interface GraphqlWsOptions {
  server: Server;
  /** The one document pipeline (graphql/pipeline.ts): documents, validation, admission. */
  pipeline: GraphqlPipeline;
  /** Production hides field suggestions from validation errors, as Apollo does on HTTP. */
  production: boolean;
  feed: EventFeed;
  authenticator: Authenticator;
  contextFor(caller: Caller): Context;
  limits: AppConfig['ws'];
  /** The GraphQL limits shared with HTTP; this door reads the largest WebSocket message. */
  queryLimits: Limits;
  formatError(error: GraphQLError): GraphQLError | ReturnType<GraphQLError['toJSON']>;
  logger: Logger;
  /** Told when a WebSocket opens (+1) and closes (-1), for the connections gauge. */
  onConnectionCount?: (delta: 1 | -1) => void;
  /** Per-key ceilings on connections, subscriptions and costly queries (src/fairness/). */
  fairShare?: FairShare;
}

export interface GraphqlWs {
  /** Open connections. */
  connections(): number;
  /** Waits (at most `graceMs`) for queued events to be sent, then closes every socket with 1001. */
  close(graceMs?: number): Promise<void>;
}

/**
 * GraphQL over WebSocket (the graphql-ws protocol) on the HTTP server's own port and path.
 * Connections authenticate once, at connection_init, through the shared authenticator;
 * documents go through the same pipeline as HTTP's (limits, validation, admission: cost
 * from the coerced variables, queries and subscriptions only).
 */
export function attachGraphqlWs(options: GraphqlWsOptions): GraphqlWs {
  const { feed, limits, logger } = options;
  const wss = new WebSocketServer({ server: options.server, path: '/graphql', maxPayload: options.queryLimits.wsMaxMessageBytes });
  // ws repeats the HTTP server's errors (e.g. the port in use) here; app.start() reports those.
  wss.on('error', () => undefined);
  /**
   * The caller of each authenticated, open connection. One map and one revocation listener for
   * the whole door instead of a listener per socket: thousands of idle sockets are the norm.
   */
  const callers = new Map<object, Caller>();
  /** Each connection's fair-share slot, and the slots of its running operations by id. */
  const connectionSlots = new WeakMap<object, Release>();
  const operationSlots = new WeakMap<object, Map<string, Release>>();
  const releaseOperation = (ctx: object, id: string) => {
    const slots = operationSlots.get(ctx);
    slots?.get(id)?.();
    slots?.delete(id);
  };
  // A key revoked while sockets are open closes them (noticed within TASKGATE_KEYS_REFRESH).
  const stopWatchingKeys = options.authenticator.onRevoked(() => {
    for (const [ctx, caller] of callers) {
      if (options.authenticator.isStillValid(caller)) continue;
      callers.delete(ctx);
      logger.info({ user: caller.id, keyId: caller.proof?.keyId, reason: 'KeyRevoked' }, 'closing a WebSocket whose key was revoked');
      (ctx as { extra: SocketExtra }).extra.socket.close(forbiddenCloseCode, 'KeyRevoked');
    }
  });
  /**
   * Closes a refused socket with 4403 and the reason code (what the client must fix), and logs
   * who and why. graphql-ws's own close that follows (4403 Forbidden) is then a no-op.
   */
  const refuse = (socket: WebSocket, reason: string, user: string | undefined): false => {
    logger.info({ user, reason }, 'WebSocket connection refused');
    socket.close(forbiddenCloseCode, reason);
    return false;
  };
  const stopKeepAlive = keepAliveAll(wss, limits.keepAliveMs);
  const countConnection = options.onConnectionCount ?? (() => undefined);
  // One listener function for every socket (a closure per socket costs memory per idle subscriber).
  const connectionClosed = () => countConnection(-1);
  wss.on('connection', (socket) => {
    countConnection(1);
    socket.on('close', connectionClosed);
  });
  const { pipeline } = options;
  const clientErrors = (errors: readonly GraphQLError[]): GraphQLError[] =>
    options.production ? errors.map((e) => new GraphQLError(withoutSuggestions(e.message), { nodes: e.nodes, source: e.source, positions: e.positions, extensions: e.extensions })) : [...errors];

  /** A result as the client gets it in a `next` payload: errors formatted (masked) as on HTTP. */
  const formatResult = (result: ExecutionResult): ExecutionResult =>
    result.errors?.length ? ({ ...result, errors: result.errors.map((e) => options.formatError(e as GraphQLError)) } as ExecutionResult) : result;
  const door: SocketDoor = {
    contextFor: options.contextFor,
    openFeed: (caller, extra, filter, after) =>
      feed.subscribe(filter, after, limits.queueLimit, (reason) => {
        if (reason !== 'overflow') return;
        logger.warn({ caller: caller.id, queueLimit: limits.queueLimit }, 'closing a WebSocket whose subscriber fell too far behind');
        extra.socket.close(slowConsumerCloseCode, `subscriber too slow: over ${limits.queueLimit} events queued; resubscribe with after`);
      }),
  };
  const subscribe = groupedSubscribe({
    groupKey: (contextValue) => {
      const { caller } = contextValue as Context;
      return `${caller.role}:${caller.id}`;
    },
    // A fresh context per event: request-scoped loaders must not outlive one execution.
    contextForEvent: (contextValue) => options.contextFor((contextValue as SocketOperationContext).caller),
    serialise: (result) => JSON.stringify(formatResult(result)),
    deliveryOf: (contextValue) => (contextValue as SocketOperationContext).delivery,
  });

  const server = serveGraphqlWs<Record<string, unknown> | undefined>(
    {
      schema: pipeline.schema,
      connectionInitWaitTimeout: limits.initTimeoutMs,
      jsonMessageReviver: refuseServerMessages,
      async onConnect(ctx) {
        try {
          const caller = await authenticateConnection(options.authenticator, ctx.connectionParams, ctx.extra.host, ctx.extra.url);
          // A socket that closed while authenticating has had its onClose already.
          if (ctx.extra.socket.readyState !== ctx.extra.socket.OPEN) return false;
          callers.set(ctx, caller);
          // The key may have been revoked while this connection was being authenticated.
          if (!options.authenticator.isStillValid(caller)) {
            callers.delete(ctx);
            return refuse(ctx.extra.socket, 'KeyRevoked', caller.id);
          }
          if (options.fairShare) {
            const slot = await options.fairShare.open('wsConnection', caller.id);
            if (ctx.extra.socket.readyState !== ctx.extra.socket.OPEN) return (slot(), callers.delete(ctx), false);
            connectionSlots.set(ctx, slot);
          }
          return true;
        } catch (error) {
          if (error instanceof AuthError) return refuse(ctx.extra.socket, error.reason, principalOf(ctx.connectionParams, ctx.extra.url));
          if (error instanceof RateLimited) {
            const caller = callers.get(ctx);
            callers.delete(ctx);
            logger.info({ user: caller?.id, limit: error.limit }, 'refused a WebSocket connection: its key holds its most');
            // Closed here with our code; graphql-ws's own 4403 that follows finds the socket closing.
            ctx.extra.socket.close(rateLimitedCloseCode, `RATE_LIMITED: this key holds ${error.limit.max} WebSocket connections; close one`);
            return false;
          }
          throw error;
        }
      },
      async onSubscribe(ctx, id, payload) {
        const active = Object.keys(ctx.subscriptions).filter((key) => key !== id).length;
        if (active >= limits.maxSubscriptions) {
          return [
            new GraphQLError(`this connection already has ${limits.maxSubscriptions} active subscriptions; complete one first`, {
              extensions: { code: 'TOO_MANY_SUBSCRIPTIONS', limit: limits.maxSubscriptions },
            }),
          ];
        }
        // Shared documents (one cache for every door) let the fan-out share executions.
        const prepared = pipeline.documents.prepare(payload.query);
        if (isRefused(prepared)) return clientErrors(prepared.refused);
        const operation = prepared.operation(payload.operationName);
        if (!operation) return [new GraphQLError('name the operation to run (operationName)', { extensions: { code: 'BAD_REQUEST' } })];
        const admission = await pipeline.admit({ door: 'websocket', operation, variables: payload.variables, caller: callers.get(ctx) as Caller });
        if (!admission.admitted) return [...admission.errors];
        const caller = callers.get(ctx) as Caller;
        const socket = ctx.extra.socket;
        // The key's fair-share slot (a subscription's, or a costly query's), held until the operation completes.
        if (admission.release) {
          if (socket.readyState !== socket.OPEN) admission.release();
          else {
            let slots = operationSlots.get(ctx);
            if (!slots) operationSlots.set(ctx, (slots = new Map()));
            slots.set(id, admission.release);
          }
        }
        const contextValue = new SocketOperationContext(caller, ctx.extra, id, door);
        return {
          schema: pipeline.schema,
          document: prepared.document,
          operationName: payload.operationName,
          variableValues: admission.variables,
          contextValue,
        };
      },
      subscribe,
      onComplete(ctx, id) {
        releaseOperation(ctx, id);
      },
      onClose(ctx) {
        callers.delete(ctx);
        connectionSlots.get(ctx)?.();
        connectionSlots.delete(ctx);
        for (const slot of operationSlots.get(ctx)?.values() ?? []) slot();
        operationSlots.delete(ctx);
      },
      // Queries over the socket; subscription events are serialised by the fan-out (grouped-subscribe.ts) with the same formatting.
      onNext(_ctx, _id, _payload, _args, result) {
        if (!result.errors?.length) return;
        return formatResult(result) as never;
      },
    },
    wss,
    logger,
  );

  return {
    connections: () => wss.clients.size,
    async close(graceMs = 5000) {
      const deadline = Date.now() + graceMs;
      while (Date.now() < deadline && (feed.stats().queued > 0 || subscribe.executing() > 0 || [...wss.clients].some((s) => s.bufferedAmount > 0))) {
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      for (const socket of wss.clients) socket.close(1001, 'server shutting down');
      stopKeepAlive();
      stopWatchingKeys();
      await server.dispose();
      // A client that never answers the close handshake must not hold the shutdown up.
      for (const socket of wss.clients) socket.terminate();
    },
  };
}

/**
 * Keeps connections alive as graphql-ws's keepAlive does (a ping every `intervalMs`; a socket
 * that has not answered a ping sent `intervalMs` ago is terminated), with one timer for the
 * whole server. Each round is spread over the interval in slices of about 100 ms, so ten
 * thousand sockets are not pinged (and do not answer) in one burst that would delay events.
 */
function keepAliveAll(wss: WebSocketServer, intervalMs: number): () => void {
  if (!(intervalMs > 0 && Number.isFinite(intervalMs))) return () => undefined;
  /** When the unanswered ping to a socket was sent. */
  const pingedAt = new WeakMap<WebSocket, number>();
  // One listener function shared by every socket.
  function answered(this: WebSocket): void {
    pingedAt.delete(this);
  }
  wss.on('connection', (socket) => socket.on('pong', answered));
  const slices = Math.max(1, Math.floor(intervalMs / 100));
  // A socket's place in the round can move earlier as others close; one slice of slack keeps timer jitter from costing a round.
  const patienceMs = intervalMs - intervalMs / slices;
  const visit = (socket: WebSocket, now: number): void => {
    if (socket.readyState !== socket.OPEN) return;
    const sent = pingedAt.get(socket);
    if (sent !== undefined) {
      if (now - sent >= patienceMs) socket.terminate();
      return;
    }
    pingedAt.set(socket, now);
    socket.ping();
  };
  let round: WebSocket[] = [];
  let slice = 0;
  let position = 0;
  const timer = setInterval(() => {
    if (slice === 0) (round = [...wss.clients]), (position = 0);
    slice++;
    const end = Math.ceil((round.length * slice) / slices);
    const now = performance.now();
    for (; position < end; position++) visit(round[position], now);
    if (slice === slices) (round = []), (slice = 0);
  }, intervalMs / slices);
  timer.unref();
  return () => clearInterval(timer);
}

/** Who a refused connection claimed to be (the key id or user id before the colon, or the presigned key), for the log. */
function principalOf(params: Readonly<Record<string, unknown>> | undefined, url: string | undefined): string | undefined {
  const authorization = params?.authorization;
  if (typeof authorization === 'string') {
    const colon = authorization.lastIndexOf(':');
    return colon > 0 ? authorization.slice(0, Math.min(colon, 128)) : undefined;
  }
  const q = url?.indexOf('?') ?? -1;
  return q === -1 ? undefined : (new URLSearchParams(url!.slice(q)).get(presignParams.key)?.slice(0, 128) ?? undefined);
}

