import { createServer, type IncomingMessage, type Server } from 'node:http';
import { answerClientError } from './http/client-error';
import type { ApolloServer } from '@apollo/server';
import type { GraphQLSchema } from 'graphql';
import type { AddressInfo } from 'node:net';
import type { DataSource } from 'typeorm';
import type { Authenticator } from './auth/authenticate';
import { createAuthenticator } from './auth/create-authenticator';
import type { AppConfig } from './config';
import type { Caller, Context } from './context';
import { createDataSource } from './db/data-source';
import { Database } from './db/database';
import { applyMigrations } from './db/migrate';
import { createApollo } from './graphql/apollo';
import { admissionPlugin } from './graphql/admission-plugin';
import { AnswerBudget } from './graphql/answer-budget';
import { graphqlHttpHandler } from './graphql/http-handler';
import { directExecution } from './graphql/direct-execution';
import { createPipeline, type GraphqlPipeline } from './graphql/pipeline';
import { applyCors } from './http/cors';
import { createRequestListener, type HttpRoute } from './http/router';
import { observeOperations } from './ops/apollo-observer';
import { databaseReachable, migrationsApplied, poolFigures } from './ops/database-checks';
import { healthRoute, metricsRoute, readinessRoute } from './ops/health';
import { EventStreams } from './legacy/event-stream';
import { legacyHttpRoute } from './legacy/http-adapter';
import { createLogger, type Logger } from './ops/logger';
import { Metrics } from './ops/metrics';
import { Readiness } from './ops/readiness';
import { InFlight, instrumentRequests, linkRecord, recordOf } from './ops/request-log';
import { Closers, within } from './ops/shutdown';
import { StartStepError } from './ops/start-failure';
import { boardRoute } from './board/route';
import { playgroundRoute } from './playground/route';
import { indexRoute, type Links, pointBrowserAway } from './web/index-route';
import { EventFeed } from './events/event-feed';
import { FairShare } from './fairness/fair-share';
import { type EventLink, inProcessLink } from './events/event-link';
import { EventStore } from './events/event-store';
import { redisLink } from './events/redis-link';
import { maskErrors } from './graphql/mask-errors';
import { attachGraphqlWs, type GraphqlWs } from './ws/graphql-ws-server';
import { taskgateSchema } from './schema';
import { createTaskLoaders } from './tasks/task.loaders';
import { TaskService } from './tasks/task.service';
import { PhaseTable } from './tasks/status-words';

export interface App {
  readonly config: AppConfig;
  readonly logger: Logger;
  readonly server: Server;
  readonly dataSource: DataSource;
  readonly tasks: TaskService;
  readonly schema: GraphQLSchema;
  readonly apollo: ApolloServer<Context>;
  /** The one GraphQL document pipeline every door goes through (documents, admission). */
  readonly pipeline: GraphqlPipeline;
  readonly authenticator: Authenticator;
  readonly metrics: Metrics;
  /** GET /readyz checks; parts add theirs: `app.readiness.register('redis', async () => ...)`. */
  readonly readiness: Readiness;
  /**
   * Shutdown steps run in order after HTTP has drained and before the database closes
   * (the WebSocket layer adds "close sockets with 1001", the event link "close Redis").
   */
  readonly closers: Closers;
  /** Committed task events, in order, for subscribers on this instance. */
  readonly events: EventFeed;
  /** The link carrying events between instances; `status()` is 'off' without REDIS_URL. */
  readonly eventLink: EventLink;
  /** GraphQL subscriptions over WebSocket at /graphql. */
  readonly ws: GraphqlWs;
  /** The GraphQL context for a caller: the same for every door. */
  contextFor(caller: Caller): Context;
  /** Connects the database, applies migrations when configured, and listens. */
  start(): Promise<{ port: number; url: string }>;
  /**
   * Graceful stop: readiness turns 503, the server stops accepting, in-flight requests finish
   * (bounded by TASKGATE_SHUTDOWN_TIMEOUT_MS, then connections are cut), the closers run,
   * and the database closes last. Safe to call more than once.
   */
  stop(): Promise<void>;
}

/** Wires taskgate together: database, task service, GraphQL over HTTP, and the HTTP routes. */
export async function createApp(config: AppConfig, options: { logger?: Logger } = {}): Promise<App> {
  const logger = options.logger ?? createLogger(config.logLevel);
  const dataSource = createDataSource(config.database);
  const db = new Database(dataSource);
  const production = config.env === 'production';
  const schema = await taskgateSchema();
  const metrics = new Metrics();
  const tasks = new TaskService(db, {
    maxPageSize: config.maxPageSize,
    maxLogBytes: config.maxLogBytes,
    phases: new PhaseTable(config.statusWords.phases, config.statusWords.unknownPhase),
    onUnknownWord: (word) => metrics.unknownStatusWords.inc({ word: metrics.statusWordLabel(word) }),
  });
  metrics.watchPool(poolFigures(dataSource, config.database.poolSize));
  let listeningPort = config.port;
  // Where a caller outside reaches this instance: TASKGATE_PUBLIC_URL, else this host and port.
  const publicUrl = (): string => config.publicUrl || `http://${['0.0.0.0', '::', '127.0.0.1', '::1'].includes(config.host) ? 'localhost' : config.host}:${listeningPort}`;
  const authenticator = createAuthenticator(config, db, logger, publicUrl);
  // No key can starve the others: per-key ceilings on open streams and costly work (src/fairness/).
  // SQLite is one synchronous connection: costly operations take turns there, one at a time.
  const databaseConnections = config.database.kind === 'sqlite' ? 1 : config.database.poolSize;
  const fairShare = FairShare.create(config.fairShare, { redisUrl: config.redisUrl, poolSize: databaseConnections, logger });
  // One document pipeline for every door (graphql/pipeline.ts): one bounded document cache, one admission check.
  const pipeline = createPipeline({ schema, config, authenticator, fairShare, logger });
  const formatError = maskErrors(logger);
  const apollo = createApollo(schema, {
    production,
    documentStore: pipeline.documents.apolloDocumentStore(),
    formatError,
    validationRules: pipeline.documents.validationRules,
    parseOptions: pipeline.documents.parseOptions,
    plugins: [observeOperations<Context>(), admissionPlugin(pipeline.documents, pipeline.admit)],
    logger,
  });
  // Plain JSON POSTs of known documents skip Apollo's per-request pipeline (graphql/direct-execution.ts): same admission, errors and masking.
  const direct = config.directExecution ? directExecution({ schema, documents: pipeline.documents, admit: pipeline.admit, formatError }) : undefined;
  const readiness = new Readiness(config.readyTimeoutMs);
  readiness.register('database', databaseReachable(db));
  readiness.register('migrations', migrationsApplied(dataSource));
  const closers = new Closers();
  const inFlight = new InFlight();
  let stopping: Promise<void> | undefined;
  let apolloStarted = false;

  const contextFor = (caller: Caller): Context => ({ caller, tasks, loaders: createTaskLoaders(tasks), answer: new AnswerBudget(config.limits.maxResponseBytes) });
  const authenticateHttp = (req: IncomingMessage, search: string): Promise<Caller> => {
    const path = (req.url ?? '/').split('?', 1)[0];
    return authenticator.authenticate({ method: req.method ?? 'GET', path, search, headers: req.headers });
  };
  const httpContext = async (req: IncomingMessage, caller: Caller, body: Buffer): Promise<Context> => {
    await authenticator.acceptBody(caller, body);
    const context = contextFor(caller);
    recordOf(req).user = caller.id;
    linkRecord(context, req);
    return context;
  };

  // Live feeds: each committed change goes to this instance's subscribers and, with Redis, to the others'.
  const eventLink: EventLink = config.redisUrl
    ? redisLink({ url: config.redisUrl, channel: config.redisChannel, logger, highWater: (): number => events.stats().lastEventId })
    : inProcessLink();
  const events = new EventFeed(new EventStore(db), eventLink, logger, {
    published: () => metrics.eventsPublished.inc(),
    delivered: () => metrics.eventsDelivered.inc(),
    subscriptions: (delta) => metrics.subscriptionsActive.inc(delta),
  });
  tasks.onCommitted((change) => events.publishCommitted(change));
  if (config.redisUrl) {
    // Without Redis this instance still serves (its feeds read other instances' events from the
    // database), so by default a Redis outage is "degraded", not "unready".
    readiness.register(
      'redis',
      async () => {
        if (eventLink.status() !== 'up') throw new Error('the Redis event link is down (reconnecting); events from other instances are read from the database meanwhile');
      },
      { required: config.readyRequiresRedis },
    );
  }
  closers.add('event feed and Redis link', () => events.stop());
  closers.add('authenticator (key refresh, replay guard)', () => authenticator.stop());
  closers.add('fair-share limits', () => fairShare.stop());
  // Server-Sent Events for legacy callers: the same feed, ended first at shutdown (an open stream never drains).
  const eventStreams = new EventStreams({
    feed: events,
    queueLimit: config.ws.queueLimit,
    keepAliveMs: config.sseKeepAliveMs,
    logger,
    readLog: (event) => tasks.eventLogOf(event),
  });

  const graphql = graphqlHttpHandler(apollo, {
    bodyLimitBytes: config.bodyLimitBytes,
    bodyTimeoutMs: config.timeouts.bodyMs,
    authenticate: authenticateHttp,
    context: httpContext,
    documentTooLarge: (text) => pipeline.documents.tooLarge(text),
    direct,
    ran: (engine) => metrics.graphqlExecutions.inc({ engine }),
    answered: (req) => fairShare.settle(recordOf(req)),
  });
  // The legacy Tasks REST API: fixed GraphQL operations over the same schema, rules, auth and context.
  const legacy = legacyHttpRoute({
    pipeline,
    authenticator,
    contextFor,
    logger,
    prefixes: config.legacyPrefixes,
    bodyLimitBytes: config.bodyLimitBytes,
    bodyTimeoutMs: config.timeouts.bodyMs,
    maxPageSize: config.maxPageSize,
    eventStreams,
    fairShare,
    onCaller: (req, caller) => {
      recordOf(req).user = caller.id;
    },
  });
  // What GET / lists, and where a browser that opened /graphql is sent.
  const links: Links = {
    graphql: '/graphql',
    playground: config.playgroundEnabled ? '/playground' : undefined,
    board: config.boardEnabled ? '/board' : undefined,
    openapi: config.legacyPrefixes.includes('/api/virtshell/v1') ? '/api/virtshell/v1/openapi.json' : undefined,
    health: '/healthz',
    ready: '/readyz',
    metrics: config.metricsEnabled ? '/metrics' : undefined,
  };
  const routes: HttpRoute[] = [
    {
      name: 'graphql',
      matches: (path) => path === '/graphql' || path === '/graphql/',
      handle: (req, res, _path, search) => {
        recordOf(req).door = 'graphql-http';
        if (pointBrowserAway(req, res, search, links)) return;
        return graphql(req, res, search);
      },
    },
    indexRoute(links),
    healthRoute(Date.now()),
    readinessRoute(readiness),
    {
      ...legacy,
      handle: (req, res, path, search) => {
        recordOf(req).door = 'legacy-rest';
        return legacy.handle(req, res, path, search);
      },
    },
  ];
  if (config.metricsEnabled) routes.push(metricsRoute(metrics, config.metricsToken));
  if (config.playgroundEnabled) routes.push(playgroundRoute());
  if (config.boardEnabled) routes.push(boardRoute());
  const listener = instrumentRequests(createRequestListener(routes, logger), {
    logger,
    metrics,
    inFlight,
    stopping: () => stopping !== undefined,
  });
  // Slow or unsigned uploads are cut: headers within TASKGATE_HEADERS_TIMEOUT_MS, the whole request
  // within that plus TASKGATE_BODY_TIMEOUT_MS (node's own limits; the body has its deadline too, http/body.ts).
  const server = createServer({ keepAliveTimeout: 65_000, headersTimeout: config.timeouts.headersMs, requestTimeout: config.timeouts.headersMs + config.timeouts.bodyMs, connectionsCheckingInterval: 1000 }, (req, res) => {
    if (!applyCors(config.corsOrigins, req, res)) listener(req, res);
  });
  server.on('clientError', answerClientError);

  async function drainAndClose(): Promise<void> {
    const deadline = Date.now() + config.shutdownTimeoutMs;
    readiness.markStopping();
    inFlight.closeAfterResponse();
    eventStreams.closeAll();
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeIdleConnections();
    // Responses finished while stopping carry "connection: close" (set above for those in
    // flight, by the request log for later ones); idle keep-alive connections are closed here.
    const sweep = setInterval(() => server.closeIdleConnections(), 100);
    const drained = await within(inFlight.idle(), Math.max(0, deadline - Date.now()));
    clearInterval(sweep);
    if (!drained) logger.warn({ inFlight: inFlight.size }, 'shutdown timeout: cutting the requests still in flight');
    server.closeAllConnections();
    // Upgraded WebSockets keep the server open: deliver what is queued, then close them with 1001.
    await within(ws.close(), Math.max(0, deadline - Date.now()));
    await closed;
    await closers.run(deadline, logger);
    // Apollo refuses stop() before start(): a start that failed earlier has nothing to stop there.
    if (apolloStarted) await apollo.stop().catch((error: unknown) => logger.error({ err: error }, 'stopping Apollo failed'));
    if (dataSource.isInitialized) await dataSource.destroy();
  }

  const ws = attachGraphqlWs({
    server,
    pipeline,
    production,
    feed: events,
    authenticator,
    contextFor,
    limits: config.ws,
    queryLimits: config.limits,
    formatError: (error) => formatError(error.toJSON(), error),
    logger,
    onConnectionCount: (delta) => metrics.websocketConnections.inc(delta),
    fairShare,
  });

  return {
    config,
    logger,
    server,
    dataSource,
    tasks,
    schema,
    apollo,
    pipeline,
    authenticator,
    metrics,
    readiness,
    closers,
    events,
    eventLink,
    ws,
    contextFor,
    async start() {
      // Each step's failure says which step it was, so the start-up error can say what to fix.
      await step('database', async () => {
        await dataSource.initialize();
        if (config.migrateOnStart) {
          const applied = await applyMigrations(dataSource, logger);
          if (applied.length) logger.info({ migrations: applied }, 'applied database migrations');
        }
      });
      await apollo.start();
      apolloStarted = true;
      await events.start();
      await step('listen', () =>
        new Promise<void>((resolve, reject) => {
          server.once('error', reject);
          server.listen(config.port, config.host, () => {
            server.off('error', reject);
            resolve();
          });
        }),
      );
      const { port } = server.address() as AddressInfo;
      listeningPort = port;
      await authenticator.start();
      const base = publicUrl();
      const url = `${base}/graphql`;
      const open = [links.playground && `playground ${base}${links.playground}`, links.board && `board ${base}${links.board}`].filter(Boolean);
      logger.info(
        { url, port, playground: links.playground && base + links.playground, board: links.board && base + links.board, database: config.database.kind },
        `taskgate is listening: GraphQL ${url}${open.length ? `; open ${open.join(', ')}` : ''}`,
      );
      return { port, url };
    },
    stop() {
      stopping ??= drainAndClose();
      return stopping;
    },
  };
}

async function step<T>(name: StartStepError['step'], work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    throw new StartStepError(name, error);
  }
}
