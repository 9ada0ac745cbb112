import { createServer, type IncomingMessage, type Server } from 'node:http';
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
import { parseOptions } from './graphql/limits';
import { limitsPlugin } from './graphql/limits-plugin';
import { validationRules } from './graphql/validation-rules';
import { graphqlHttpHandler } from './graphql/http-handler';
import { applyCors } from './http/cors';
import { createRequestListener, type HttpRoute } from './http/router';
import { createLogger, type Logger } from './ops/logger';
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
  let listeningPort = config.port;
  const authenticator = createAuthenticator(config, db, logger, () => listeningPort);
  const apollo = createApollo(schema, {
    production,
    introspection: config.introspection,
    logger,
    validationRules: validationRules(config),
    parseOptions: parseOptions(config.limits),
    plugins: [limitsPlugin(config.limits, authenticator)],
  });

  const contextFor = (caller: Caller): Context => ({ caller, tasks, loaders: createTaskLoaders(tasks) });
  const httpContext = async (req: IncomingMessage, body: Buffer): Promise<Context> => {
    const path = (req.url ?? '/').split('?', 1)[0];
    return contextFor(await authenticator.authenticate({ method: req.method ?? 'GET', path, headers: req.headers, body }));
  };

  const graphql = graphqlHttpHandler(apollo, { bodyLimitBytes: config.bodyLimitBytes, context: httpContext });
  const routes: HttpRoute[] = [
    { name: 'graphql', matches: (path) => path === '/graphql' || path === '/graphql/', handle: (req, res, _path, search) => graphql(req, res, search) },
  ];
  const listener = createRequestListener(routes, logger);
  const server = createServer({ keepAliveTimeout: 65_000 }, (req, res) => {
    if (!applyCors(config.corsOrigins, req, res)) listener(req, res);
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
    contextFor,
    async start() {
      await dataSource.initialize();
      if (config.migrateOnStart) {
        const applied = await applyMigrations(dataSource);
        if (applied.length) logger.info({ migrations: applied }, 'applied database migrations');
      }
      await apollo.start();
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(config.port, config.host, () => {
          server.off('error', reject);
          resolve();
        });
      });
      const { port } = server.address() as AddressInfo;
      listeningPort = port;
      await authenticator.start();
      const host = config.host === '0.0.0.0' || config.host === '::' ? 'localhost' : config.host;
      const url = `http://${host}:${port}/graphql`;
      logger.info({ url, database: config.database.kind }, 'taskgate is listening');
      return { port, url };
    },
    async stop() {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
      });
      await apollo.stop();
      await authenticator.stop();
      if (dataSource.isInitialized) await dataSource.destroy();
    },
  };
}
