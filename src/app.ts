import { createServer, type Server } from 'node:http';
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
import { graphqlHttpDoor } from './graphql/http-door';
import { directExecution } from './graphql/direct-execution';
import { createPipeline, type GraphqlPipeline } from './graphql/pipeline';
import { applyCors } from './http/cors';
import { createRequestListener, type HttpRoute } from './http/router';
import { observeOperations } from './ops/apollo-observer';
import { databaseReachable, migrationsApplied, poolFigures } from './ops/database-checks';
import { linksOf, opsRoutes } from './ops/routes';
import { EventStreams } from './legacy/event-stream';
import { legacyHttpRoute } from './legacy/http-adapter';
import { createLogger, type Logger } from './ops/logger';
import { Metrics } from './ops/metrics';
import { Readiness } from './ops/readiness';
import { InFlight, instrumentRequests } from './ops/request-log';
import { Closers, drainAndClose } from './ops/shutdown';
import { StartStepError } from './ops/start-failure';
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
  const authenticator = createAuthenticator(config, db, logger);
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
  // Live feeds: each committed change goes to this instance's subscribers and, with Redis, to the others'.
  const eventLink: EventLink = config.redisUrl
    ? redisLink({ url: config.redisUrl, channel: config.redisChannel, logger })
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
  });
  // What GET / lists, and where a browser that opened /graphql is sent.
  const links = linksOf(config);
  const ops = opsRoutes({ config, links, readiness, metrics, startedAt: Date.now() });
  const routes: HttpRoute[] = [
    graphqlHttpDoor({
      apollo,
      pipeline,
      authenticator,
      contextFor,
      direct,
      fairShare,
      metrics,
      links,
      bodyLimitBytes: config.bodyLimitBytes,
      bodyTimeoutMs: config.timeouts.bodyMs,
    }),
    ...ops.probes,
    legacy,
    ...ops.pages,
  ];
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

  // GraphQL subscriptions over WebSocket, on the same server's upgrades.
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
        // Counted from the pool's events from here on, migrations' connections included.
        metrics.watchPool(poolFigures(dataSource, config.database.poolSize));
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
      const base = publicUrlOf(config, port);
      await authenticator.start(base);
      const url = `${base}/graphql`;
      const open = [links.playground && `playground ${base}${links.playground}`, links.board && `board ${base}${links.board}`].filter(Boolean);
      logger.info(
        { url, port, playground: links.playground && base + links.playground, board: links.board && base + links.board, database: config.database.kind },
        `taskgate is listening: GraphQL ${url}${open.length ? `; open ${open.join(', ')}` : ''}`,
      );
      return { port, url };
    },
    stop() {
      stopping ??= drainAndClose({
        server,
        readiness,
        inFlight,
        endStreams: () => eventStreams.closeAll(),
        closeSockets: () => ws.close(),
        closers,
        async closeLast() {
          // Apollo refuses stop() before start(): a start that failed earlier has nothing to stop there.
          if (apolloStarted) await apollo.stop().catch((error: unknown) => logger.error({ err: error }, 'stopping Apollo failed'));
          if (dataSource.isInitialized) await dataSource.destroy();
        },
        timeoutMs: config.shutdownTimeoutMs,
        logger,
      });
      return stopping;
    },
  };
}

/** Where a caller outside reaches this instance: TASKGATE_PUBLIC_URL, else this host and the port it listens on. */
function publicUrlOf(config: AppConfig, port: number): string {
  return config.publicUrl || `http://${['0.0.0.0', '::', '127.0.0.1', '::1'].includes(config.host) ? 'localhost' : config.host}:${port}`;
}

async function step<T>(name: StartStepError['step'], work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    throw new StartStepError(name, error);
  }
}
