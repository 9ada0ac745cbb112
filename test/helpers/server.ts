import type { DestinationStream } from 'pino';
import { type App, createApp } from '../../src/app';
import { loadConfig } from '../../src/config';
import { createLogger } from '../../src/ops/logger';
import { type DatabaseKind, freshDatabase, type TestDatabase } from './databases';

export interface GraphqlResult<T = Record<string, any>> {
  status: number;
  data?: T;
  errors?: { message: string; extensions?: Record<string, any>; path?: string[] }[];
}

export interface TestResponse {
  status: number;
  headers: Headers;
  /** Parsed JSON when the body is JSON, else the raw text. */
  body: any;
  text: string;
}

export interface TestServer {
  app: App;
  port: number;
  baseUrl: string;
  /** ws://127.0.0.1:<port>/graphql */
  wsUrl: string;
  databaseUrl: string;
  /**
   * Sends an HTTP request the way a legitimate client would (every suite goes through this or
   * gql, so request signing lives in one place). `body` objects are sent as JSON; strings and
   * Buffers as they are, with no Content-Type unless `headers` gives one.
   */
  request(method: string, path: string, options?: { body?: unknown; headers?: Record<string, string> }): Promise<TestResponse>;
  /**
   * Sends a request like `request` and returns the response unread, for streams (Server-Sent
   * Events): the caller reads `body` as it arrives and cancels it to disconnect.
   */
  stream(method: string, path: string, options?: { headers?: Record<string, string>; signal?: AbortSignal }): Promise<Response>;
  /** POSTs a GraphQL operation to /graphql and returns the parsed response. */
  gql<T = Record<string, any>>(query: string, variables?: Record<string, unknown>): Promise<GraphqlResult<T>>;
  stop(): Promise<void>;
}

export interface StartOptions {
  /** Capture the server's log lines (at LOG_LEVEL from env, default info) instead of discarding them. */
  logDestination?: DestinationStream;
  /** Reach the fresh database through another URL (e.g. through a TCP proxy the test controls). */
  databaseUrl?: (freshUrl: string) => string | Promise<string>;
}

/** A real taskgate on an ephemeral port over a fresh database of the given kind. */
export async function startServer(kind: DatabaseKind, env: Record<string, string> = {}, options: StartOptions = {}): Promise<TestServer> {
  // A DATABASE_URL in `env` joins an existing database (a second instance); it is not dropped on stop.
  const database: TestDatabase = env.DATABASE_URL ? { url: env.DATABASE_URL, drop: async () => undefined } : await freshDatabase(kind);
  const databaseUrl = options.databaseUrl ? await options.databaseUrl(database.url) : database.url;
  const config = loadConfig({ NODE_ENV: 'test', PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'silent', ...env, DATABASE_URL: databaseUrl });
  const logger = options.logDestination
    ? createLogger(env.LOG_LEVEL ?? 'info', options.logDestination)
    : createLogger(process.env.TEST_LOG_LEVEL ?? 'silent');
  const app = await createApp(config, { logger });
  const { port } = await app.start();
  const baseUrl = `http://127.0.0.1:${port}`;
  return {
    app,
    port,
    baseUrl,
    wsUrl: `ws://127.0.0.1:${port}/graphql`,
    databaseUrl: database.url,
    async request(method, path, options = {}) {
      const headers: Record<string, string> = { ...options.headers };
      let body: string | Buffer | undefined;
      if (options.body !== undefined) {
        // fetch would label a string body text/plain; send it as bytes so it goes out with only
        // the headers given (the legacy dispatcher sends no Content-Type at all).
        if (typeof options.body === 'string') body = Buffer.from(options.body);
        else if (Buffer.isBuffer(options.body)) body = options.body;
        else {
          body = JSON.stringify(options.body);
          headers['content-type'] ??= 'application/json';
        }
      }
      const response = await fetch(`${baseUrl}${path}`, { method, headers, body });
      const text = await response.text();
      let parsed: unknown = text;
      try {
        parsed = JSON.parse(text);
      } catch {
        // not JSON: keep the text
      }
      return { status: response.status, headers: response.headers, body: parsed, text };
    },
    async stream(method, path, options = {}) {
      return fetch(`${baseUrl}${path}`, { method, headers: { ...options.headers }, signal: options.signal });
    },
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
