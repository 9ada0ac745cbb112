import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { ApolloServer } from '@apollo/server';
import type { GraphQLSchema } from 'graphql';
import type { AddressInfo } from 'node:net';
import type { DataSource } from 'typeorm';
import { type Authenticator, openAuthenticator } from './auth/authenticate';
import type { AppConfig } from './config';
import type { Caller, Context } from './context';
import { createDataSource } from './db/data-source';
import { Database } from './db/database';
import { applyMigrations } from './db/migrate';
import { createApollo } from './graphql/apollo';
import { validationRules } from './graphql/validation-rules';
import { graphqlHttpHandler } from './graphql/http-handler';
import { createRequestListener, type HttpRoute } from './http/router';
import { createLogger, type Logger } from './ops/logger';
import { EventFeed } from './events/event-feed';
import { type EventLink, inProcessLink } from './events/event-link';
import { EventStore } from './events/event-store';
import { redisLink } from './events/redis-link';
import { maskErrors } from './graphql/mask-errors';
import { attachGraphqlWs, type GraphqlWs } from './ws/graphql-ws-server';
import { taskgateSchema } from './schema';
import { createTaskLoaders } from './tasks/task.loaders';
import { TaskService } from './tasks/task.service';

export interface App {
  readonly config: AppConfig;
  readonly logger: Logger;
  readonly server: Server;
  readonly dataSource: DataSource;
  readonly tasks: TaskService;
  readonly schema: GraphQLSchema;
  readonly apollo: ApolloServer<Context>;
  readonly authenticator: Authenticator;
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
  /** Stops accepting, lets in-flight requests finish, then closes the database. */
  stop(): Promise<void>;
}

/** Wires taskgate together: database, task service, GraphQL over HTTP, and the HTTP routes. */
export async function createApp(config: AppConfig, options: { logger?: Logger } = {}): Promise<App> {
  const logger = options.logger ?? createLogger(config.logLevel);
  const dataSource = createDataSource(config.database);
  const db = new Database(dataSource);
  const tasks = new TaskService(db, { maxPageSize: config.maxPageSize });
  const production = config.env === 'production';
  const schema = await taskgateSchema();
  const apollo = createApollo(schema, { production, introspection: !production, logger, validationRules: validationRules(config) });
  const authenticator = openAuthenticator(config.defaultUser);

  const contextFor = (caller: Caller): Context => ({ caller, tasks, loaders: createTaskLoaders(tasks) });
  const httpContext = async (req: IncomingMessage, body: Buffer): Promise<Context> => {
    const path = (req.url ?? '/').split('?', 1)[0];
    return contextFor(await authenticator.authenticate({ method: req.method ?? 'GET', path, headers: req.headers, body }));
  };

  const graphql = graphqlHttpHandler(apollo, { bodyLimitBytes: config.bodyLimitBytes, context: httpContext });
  const routes: HttpRoute[] = [
    { name: 'graphql', matches: (path) => path === '/graphql' || path === '/graphql/', handle: (req, res, _path, search) => graphql(req, res, search) },
  ];
  const server = createServer({ keepAliveTimeout: 65_000 }, createRequestListener(routes, logger));

  // Live feeds: each committed change goes to this instance's subscribers and, with Redis, to the others'.
  const eventLink: EventLink = config.redisUrl
    ? redisLink({ url: config.redisUrl, channel: config.redisChannel, logger, highWater: (): number => events.stats().lastEventId })
    : inProcessLink();
  const events = new EventFeed(new EventStore(db), eventLink, logger);
  tasks.onCommitted((change) => events.publishCommitted(change));
  const mask = maskErrors(logger);
  const ws = attachGraphqlWs({
    server,
    schema,
    feed: events,
    authenticator,
    contextFor,
    validationRules: validationRules(config),
    limits: config.ws,
    formatError: (error) => mask(error.toJSON(), error),
    logger,
  });

  return {
    config,
    logger,
    server,
    dataSource,
    tasks,
    schema,
    apollo,
    authenticator,
    events,
    eventLink,
    ws,
    contextFor,
    async start() {
      await dataSource.initialize();
      if (config.migrateOnStart) {
        const applied = await applyMigrations(dataSource);
        if (applied.length) logger.info({ migrations: applied }, 'applied database migrations');
      }
      await apollo.start();
      await events.start();
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(config.port, config.host, () => {
          server.off('error', reject);
          resolve();
        });
      });
      const { port } = server.address() as AddressInfo;
      const host = config.host === '0.0.0.0' || config.host === '::' ? 'localhost' : config.host;
      const url = `http://${host}:${port}/graphql`;
      logger.info({ url, database: config.database.kind }, 'taskgate is listening');
      return { port, url };
    },
    async stop() {
      const closed = new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
      });
      // WebSockets hold the server open: let queued events go out, then close them with 1001.
      await ws.close();
      await closed;
      await events.stop();
      await apollo.stop();
      if (dataSource.isInitialized) await dataSource.destroy();
    },
  };
}
