import { type App, createApp } from '../../src/app';
import { loadConfig } from '../../src/config';
import { createLogger } from '../../src/ops/logger';
import { type DatabaseKind, freshDatabase, type TestDatabase } from './databases';

export interface GraphqlResult<T = Record<string, any>> {
  status: number;
  data?: T;
  errors?: { message: string; extensions?: Record<string, any>; path?: string[] }[];
}

export interface TestServer {
  app: App;
  port: number;
  baseUrl: string;
  databaseUrl: string;
  /** POSTs a GraphQL operation to /graphql and returns the parsed response. */
  gql<T = Record<string, any>>(query: string, variables?: Record<string, unknown>): Promise<GraphqlResult<T>>;
  stop(): Promise<void>;
}

/** A real taskgate on an ephemeral port over a fresh database of the given kind. */
export async function startServer(kind: DatabaseKind, env: Record<string, string> = {}): Promise<TestServer> {
  const database: TestDatabase = await freshDatabase(kind);
  const config = loadConfig({ NODE_ENV: 'test', PORT: '0', HOST: '127.0.0.1', DATABASE_URL: database.url, LOG_LEVEL: 'silent', ...env });
  const app = await createApp(config, { logger: createLogger(process.env.TEST_LOG_LEVEL ?? 'silent') });
  const { port } = await app.start();
  const baseUrl = `http://127.0.0.1:${port}`;
  return {
    app,
    port,
    baseUrl,
    databaseUrl: database.url,
    async gql(query, variables) {
      const response = await fetch(`${baseUrl}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query, variables }),
      });
      const body = (await response.json()) as Omit<GraphqlResult, 'status'>;
      return { status: response.status, ...body } as GraphqlResult<any>;
    },
    async stop() {
      await app.stop();
      await database.drop();
    },
  };
}
