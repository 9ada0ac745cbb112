import type { DestinationStream } from 'pino';
import { type App, createApp } from '../../src/app';
import { loadConfig } from '../../src/config';
import { createLogger } from '../../src/ops/logger';
import { type DatabaseKind, freshDatabase, type TestDatabase } from './databases';
import { type Credentials, type SignInput, signedConnectionParams, TestSigner } from './signing';

/** The static keys every test server starts with (TASKGATE_KEYS); `env` may replace them. */
export const testKeys = {
  writer: { user: 'test-writer', secret: 'writer-secret-0123456789abcdef', role: 'write' },
  reader: { user: 'test-reader', secret: 'reader-secret-0123456789abcdef', role: 'read' },
} as const;
export type TestUser = keyof typeof testKeys;

export interface SignOptions {
  /** Which test key signs (default writer); `false` sends the request unsigned. */
  user?: TestUser | false;
  /** Sign with these credentials instead (a key the test gave the server in TASKGATE_KEYS). */
  credentials?: Credentials;
  /** Overrides of the signing input (date, md5, virtshellDate, plainAuthorization, ...). */
  sign?: Partial<SignInput>;
}

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
  request(method: string, path: string, options?: { body?: unknown; headers?: Record<string, string> } & SignOptions): Promise<TestResponse>;
  /** POSTs a GraphQL operation to /graphql, signed with the writer key unless `options.user` says otherwise. */
  gql<T = Record<string, any>>(query: string, variables?: Record<string, unknown>, options?: SignOptions): Promise<GraphqlResult<T>>;
  /** The signature headers a test key would send for this request (Content-MD5 and Type included). */
  signedHeaders(method: string, path: string, body?: string | Buffer, options?: SignOptions & { contentType?: string }): Record<string, string>;
  /** Signed graphql-ws connectionParams {authorization, date} for a test key. */
  wsConnectionParams(user?: TestUser): { authorization: string; date: string };
  /** host:port as clients put it in the Host header (and sign it). */
  host: string;
  /**
   * Sends a signed request like `request` and returns the response unread, for streams
   * (Server-Sent Events): the caller reads `body` as it arrives and cancels it to disconnect.
   */
  stream(method: string, path: string, options?: { headers?: Record<string, string>; signal?: AbortSignal } & SignOptions): Promise<Response>;
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
  const database: TestDatabase = env.DATABASE_URL ? { url: env.DATABASE_URL, drop: async () => undefined } : await freshDatabase(kind, { migrated: env.TASKGATE_MIGRATE !== 'off' });
  const databaseUrl = options.databaseUrl ? await options.databaseUrl(database.url) : database.url;
  const staticKeys = Object.values(testKeys)
    .map((k) => `${k.user}:${k.secret}:${k.role}`)
    .join(',');
  // The fair share's time share spaces costly queries out by how long the last one took, which on a
  // busy machine is luck: it is off here unless a suite sets it (unit tests and bench scenario 9 cover it).
  const config = loadConfig({ NODE_ENV: 'test', PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'silent', TASKGATE_KEYS: staticKeys, TASKGATE_FAIR_HEAVY_SHARE: '100', ...env, DATABASE_URL: databaseUrl });
  const logger = options.logDestination
    ? createLogger(env.LOG_LEVEL ?? 'info', options.logDestination)
    : createLogger(process.env.TEST_LOG_LEVEL ?? 'silent');
  const app = await createApp(config, { logger });
  const { port } = await app.start();
  const baseUrl = `http://127.0.0.1:${port}`;
  const host = `127.0.0.1:${port}`;
  const signers = new Map<string, TestSigner>();
  const signerFor = (credentials: Credentials) => {
    let signer = signers.get(credentials.user);
    if (!signer) signers.set(credentials.user, (signer = new TestSigner(credentials)));
    return signer;
  };
  const signedHeaders = (method: string, path: string, body?: string | Buffer, options: SignOptions & { contentType?: string } = {}) => {
    if (options.user === false) return {};
    // Sign the path and query as they go on the wire (fetch percent-encodes spaces and the like).
    const url = new URL(path, baseUrl);
    const wirePath = url.pathname + url.search;
    return signerFor(options.credentials ?? testKeys[options.user ?? 'writer']).sign({ method, host, path: wirePath, body, contentType: options.contentType, ...options.sign });
  };
  return {
    app,
    port,
    baseUrl,
    wsUrl: `ws://127.0.0.1:${port}/graphql`,
    databaseUrl: database.url,
    host,
    signedHeaders,
    wsConnectionParams: (user = 'writer') => signedConnectionParams(testKeys[user], host),
    async request(method, path, options = {}) {
      const given: Record<string, string> = { ...options.headers };
      let body: string | Buffer | undefined;
      if (options.body !== undefined) {
        // fetch would label a string body text/plain; send it as bytes so it goes out with only
        // the headers given (the legacy dispatcher sends no Content-Type at all).
        if (typeof options.body === 'string') body = Buffer.from(options.body);
        else if (Buffer.isBuffer(options.body)) body = options.body;
        else {
          body = JSON.stringify(options.body);
          given['content-type'] ??= 'application/json';
        }
      }
      // Sign with the Content-Type actually sent; headers given explicitly win over signed ones.
      const contentType = Object.entries(given).find(([name]) => name.toLowerCase() === 'content-type')?.[1];
      const headers = { ...signedHeaders(method, path, body, { ...options, contentType }), ...given };
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
      const headers = { ...signedHeaders(method, path, undefined, options), ...options.headers };
      return fetch(`${baseUrl}${path}`, { method, headers, signal: options.signal });
    },
    async gql(query, variables, options = {}) {
      const body = JSON.stringify({ query, variables });
      const response = await fetch(`${baseUrl}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...signedHeaders('POST', '/graphql', body, { ...options, contentType: 'application/json' }) },
        body,
      });
      const result = (await response.json()) as Omit<GraphqlResult, 'status'>;
      return { status: response.status, ...result } as GraphqlResult<any>;
    },
    async stop() {
      await app.stop();
      await database.drop();
    },
  };
}
