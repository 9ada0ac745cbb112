import type { Server } from 'node:http';
import { type DocumentNode, type ExecutionResult, getOperationAST, getVariableValues, GraphQLError, type GraphQLSchema, parse, specifiedRules, validate, type ValidationRule } from 'graphql';
import { type WebSocket, WebSocketServer } from 'ws';
import { AuthError, type Authenticator } from '../auth/authenticate';
import type { AppConfig } from '../config';
import type { Caller, Context } from '../context';
import type { EventFeed } from '../events/event-feed';
import { checkCost, type Limits, parseOptions } from '../graphql/limits';
import type { SubscriptionContext } from '../events/feed-context';
import type { Logger } from '../ops/logger';
import { authenticateConnection } from './authenticate-connection';
import { refuseServerMessages } from './client-messages';
import { type Delivery, groupedSubscribe } from './grouped-subscribe';
import { type SocketExtra, serveGraphqlWs } from './use-ws';

/** Close code for a socket refused or dropped by authentication (graphql-ws's Forbidden). */
export const forbiddenCloseCode = 4403;

/** Close code for a connection whose subscriber could not keep up (application range 4000-4399). */
export const slowConsumerCloseCode = 4008;

/** A subscription's context on this door: where its events are written, besides the usual. */
type SocketSubscriptionContext = SubscriptionContext & { delivery: Delivery };

export interface GraphqlWsOptions {
  server: Server;
  schema: GraphQLSchema;
  feed: EventFeed;
  authenticator: Authenticator;
  contextFor(caller: Caller): Context;
  validationRules: ValidationRule[];
  limits: AppConfig['ws'];
  /** The GraphQL limits shared with HTTP: tokens, cost, and the largest WebSocket message. */
  queryLimits: Limits;
  formatError(error: GraphQLError): GraphQLError | ReturnType<GraphQLError['toJSON']>;
  logger: Logger;
  /** Told when a WebSocket opens (+1) and closes (-1), for the connections gauge. */
  onConnectionCount?: (delta: 1 | -1) => void;
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
 * subscription documents pass the same validation rules as HTTP.
 */
export function attachGraphqlWs(options: GraphqlWsOptions): GraphqlWs {
  const { feed, limits, logger } = options;
  const wss = new WebSocketServer({ server: options.server, path: '/graphql', maxPayload: options.queryLimits.wsMaxMessageBytes });
  /**
   * The caller of each authenticated, open connection. One map and one revocation listener for
   * the whole door instead of a listener per socket: thousands of idle sockets are the norm.
   */
  const callers = new Map<object, Caller>();
  // A key revoked while sockets are open closes them (noticed within TASKGATE_KEYS_REFRESH).
  const stopWatchingKeys = options.authenticator.onRevoked(() => {
    for (const [ctx, caller] of callers) {
      if (options.authenticator.isStillValid(caller)) continue;
      callers.delete(ctx);
      (ctx as { extra: SocketExtra }).extra.socket.close(forbiddenCloseCode, 'Forbidden: key revoked');
    }
  });
  const stopKeepAlive = keepAliveAll(wss, limits.keepAliveMs);
  const parsing = parseOptions(options.queryLimits);
  const countConnection = options.onConnectionCount ?? (() => undefined);
  // One listener function for every socket (a closure per socket costs memory per idle subscriber).
  const connectionClosed = () => countConnection(-1);
  wss.on('connection', (socket) => {
    countConnection(1);
    socket.on('close', connectionClosed);
  });
  const rules = [...specifiedRules, ...options.validationRules];
  const documents = new Map<string, DocumentNode>();
  /** Validation depends on the document alone (same schema, same rules): ten thousand identical subscriptions validate once. */
  const validated = new WeakMap<DocumentNode, readonly GraphQLError[]>();

  const parseOnce = (query: string): DocumentNode => {
    let document = documents.get(query);
    if (!document) {
      document = parse(query, parsing);
      // Shared documents let the fan-out share executions; the cache stays small.
      if (documents.size >= 1000) documents.clear();
      documents.set(query, document);
    }
    return document;
  };

  /** A result as the client gets it in a `next` payload: errors formatted (masked) as on HTTP. */
  const formatResult = (result: ExecutionResult): ExecutionResult =>
    result.errors?.length ? ({ ...result, errors: result.errors.map((e) => options.formatError(e as GraphQLError)) } as ExecutionResult) : result;
  const subscribe = groupedSubscribe({
    groupKey: (contextValue) => {
      const { caller } = contextValue as Context;
      return `${caller.role}:${caller.id}`;
    },
    contextForEvent: (contextValue) => ({ ...(contextValue as SubscriptionContext), ...options.contextFor((contextValue as Context).caller) }),
    serialise: (result) => JSON.stringify(formatResult(result)),
    deliveryOf: (contextValue) => (contextValue as SocketSubscriptionContext).delivery,
  });

  const server = serveGraphqlWs<Record<string, unknown> | undefined>(
    {
      schema: options.schema,
      connectionInitWaitTimeout: limits.initTimeoutMs,
      jsonMessageReviver: refuseServerMessages,
      async onConnect(ctx) {
        try {
          const caller = await authenticateConnection(options.authenticator, ctx.connectionParams, ctx.extra.host);
          // A socket that closed while authenticating has had its onClose already.
          if (ctx.extra.socket.readyState !== ctx.extra.socket.OPEN) return false;
          callers.set(ctx, caller);
          // The key may have been revoked while this connection was being authenticated.
          if (!options.authenticator.isStillValid(caller)) return (callers.delete(ctx), false);
          return true;
        } catch (error) {
          if (error instanceof AuthError) return false; // graphql-ws closes with 4403 Forbidden
          throw error;
        }
      },
      onSubscribe(ctx, id, payload) {
        const active = Object.keys(ctx.subscriptions).filter((key) => key !== id).length;
        if (active >= limits.maxSubscriptions) {
          return [
            new GraphQLError(`this connection already has ${limits.maxSubscriptions} active subscriptions; complete one first`, {
              extensions: { code: 'TOO_MANY_SUBSCRIPTIONS', limit: limits.maxSubscriptions },
            }),
          ];
        }
        let document: DocumentNode;
        try {
          document = parseOnce(payload.query);
        } catch (error) {
          return [withCode(error as GraphQLError, 'GRAPHQL_PARSE_FAILED')];
        }
        let errors = validated.get(document);
        if (!errors) validated.set(document, (errors = validate(options.schema, document, rules)));
        if (errors.length) return errors.map((e) => withCode(e, 'GRAPHQL_VALIDATION_FAILED'));
        const operation = getOperationAST(document, payload.operationName);
        if (!operation) return [new GraphQLError('name the operation to run (operationName)', { extensions: { code: 'BAD_REQUEST' } })];
        // A socket is authenticated once, so a write over it would escape the per-request
        // signature and replay guard: writes go over HTTP, each signed on its own.
        if (operation.operation === 'mutation') {
          return [new GraphQLError('mutations are not served over WebSocket; send each write as its own signed POST /graphql', { extensions: { code: 'BAD_REQUEST' } })];
        }
        // Coerced here so a wrong variable is the client's BAD_USER_INPUT, not a masked internal error.
        const coerced = getVariableValues(options.schema, operation.variableDefinitions ?? [], payload.variables ?? {});
        if (coerced.errors) return coerced.errors.map((e) => withCode(e, 'BAD_USER_INPUT'));
        const tooCostly = checkCost(options.schema, document, payload.variables ?? undefined, payload.operationName, options.queryLimits);
        if (tooCostly) return [tooCostly];
        const caller = callers.get(ctx) as Caller;
        const socket = ctx.extra.socket;
        const contextValue: SocketSubscriptionContext = {
          ...options.contextFor(caller),
          delivery: { extra: ctx.extra, id },
          feed: {
            subscribe: (filter, after) =>
              feed.subscribe(filter, after, limits.queueLimit, (reason) => {
                if (reason !== 'overflow') return;
                logger.warn({ caller: caller.id, queueLimit: limits.queueLimit }, 'closing a WebSocket whose subscriber fell too far behind');
                socket.close(slowConsumerCloseCode, `subscriber too slow: over ${limits.queueLimit} events queued; resubscribe with after`);
              }),
          },
        };
        return {
          schema: options.schema,
          document,
          operationName: payload.operationName,
          variableValues: payload.variables,
          contextValue,
        };
      },
      subscribe,
      onClose(ctx) {
        callers.delete(ctx);
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

function withCode(error: GraphQLError, code: string): GraphQLError {
  return new GraphQLError(error.message, { nodes: error.nodes, source: error.source, positions: error.positions, extensions: { ...error.extensions, code } });
}
