import convict from 'convict';
import { TaskStatus } from './tasks/task-status';
import { parsePhase, parsePhaseOverrides } from './tasks/status-words';

/**
 * Every setting taskgate reads, in one place: environment name, default and meaning.
 * The README's configuration table and `.env.example` are written from this schema.
 */
const schema = {
  env: {
    doc: 'Runtime mode: development or production. Production hides field suggestions and turns introspection off by default.',
    format: ['development', 'production', 'test'],
    default: 'development',
    env: 'NODE_ENV',
  },
  port: {
    doc: 'TCP port to listen on (0 picks a free port).',
    format: 'port',
    default: 4000,
    env: 'PORT',
  },
  host: {
    doc: 'Address to listen on.',
    format: String,
    default: '0.0.0.0',
    env: 'HOST',
  },
  databaseUrl: {
    doc: 'Where tasks live: sqlite:./data/taskgate.db, sqlite::memory:, sqlite:/abs/path.db, mysql://user:pass@host:3306/db or mariadb://...',
    format: 'database-url',
    default: 'sqlite:./data/taskgate.db',
    env: 'DATABASE_URL',
    sensitive: true,
  },
  databasePoolSize: {
    doc: 'Connections in the MySQL/MariaDB pool (ignored for SQLite).',
    format: 'positive-int',
    default: 10,
    env: 'DATABASE_POOL_SIZE',
  },
  migrate: {
    doc: 'Apply pending database migrations at start (on) or leave the schema alone (off).',
    format: ['on', 'off'],
    default: 'on',
    env: 'TASKGATE_MIGRATE',
  },
  databaseConnectTimeoutMs: {
    doc: 'How long opening a MySQL/MariaDB connection may take, in milliseconds, before requests fail with SERVICE_UNAVAILABLE.',
    format: 'positive-int',
    default: 3000,
    env: 'DATABASE_CONNECT_TIMEOUT_MS',
  },
  logLevel: {
    doc: 'Log level: fatal, error, warn, info, debug, trace or silent.',
    format: ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'],
    default: 'info',
    env: 'LOG_LEVEL',
  },
  logFormat: {
    doc: 'Log output: json, pretty (human-readable, needs pino-pretty) or auto (pretty only in development on a terminal).',
    format: ['auto', 'json', 'pretty'],
    default: 'auto',
    env: 'LOG_FORMAT',
  },
  metrics: {
    doc: 'Serve Prometheus metrics at GET /metrics (on) or answer 404 there (off).',
    format: ['on', 'off'],
    default: 'on',
    env: 'TASKGATE_METRICS',
  },
  metricsToken: {
    doc: 'When set, GET /metrics answers only requests with Authorization: Bearer <this token> (401 otherwise); unset, /metrics is open to anyone who can reach the port.',
    format: String,
    default: '',
    env: 'TASKGATE_METRICS_TOKEN',
    sensitive: true,
  },
  directExecution: {
    doc: 'Run plain JSON POST /graphql requests straight through graphql-js, compiled by graphql-jit once a document comes back, with the same checks, errors and masking as Apollo (on), or send every request through Apollo Server (off).',
    format: ['on', 'off'],
    default: 'on',
    env: 'TASKGATE_DIRECT_EXECUTION',
  },
  playground: {
    doc: 'Serve the offline GraphiQL playground at /playground (on) or answer 404 there (off).',
    format: ['on', 'off'],
    default: 'on',
    env: 'TASKGATE_PLAYGROUND',
  },
  board: {
    doc: 'Serve the live task board at /board (on) or answer 404 there (off).',
    format: ['on', 'off'],
    default: 'on',
    env: 'TASKGATE_BOARD',
  },
  readyTimeoutMs: {
    doc: 'How long each readiness check (database, migrations, Redis) may take at GET /readyz, in milliseconds, before it counts as failing.',
    format: 'positive-int',
    default: 2000,
    env: 'TASKGATE_READY_TIMEOUT_MS',
  },
  readyRequiresRedis: {
    doc: 'Whether GET /readyz fails (503) while the Redis event link is down (on), or answers 200 "degraded" naming redis (off): the instance still serves HTTP and its own feeds, and reads other instances\' events from the database every second.',
    format: ['on', 'off'],
    default: 'off',
    env: 'TASKGATE_READY_REQUIRES_REDIS',
  },
  shutdownTimeoutMs: {
    doc: 'On SIGTERM/SIGINT, how long in-flight requests and deliveries may take to finish, in milliseconds, before connections are cut.',
    format: 'positive-int',
    default: 10000,
    env: 'TASKGATE_SHUTDOWN_TIMEOUT_MS',
  },
  maxPageSize: {
    doc: 'Largest page a `tasks` query may ask for with `first`.',
    format: 'positive-int',
    default: 500,
    env: 'TASKGATE_MAX_PAGE_SIZE',
  },
  bodyLimitBytes: {
    doc: 'Largest HTTP request body accepted, in bytes; larger bodies get 413. Twice TASKGATE_MAX_LOG_BYTES by default: room for the biggest log as JSON escapes it.',
    format: 'positive-int',
    default: 16_777_216,
    env: 'TASKGATE_BODY_LIMIT',
  },
  maxLogBytes: {
    doc: 'Largest task log accepted, in UTF-8 bytes (the docker plugin sends its provisioner\'s whole stdout). Above 15 MiB, raise MySQL/MariaDB max_allowed_packet (default 16 MiB) too.',
    format: 'positive-int',
    default: 8_388_608,
    env: 'TASKGATE_MAX_LOG_BYTES',
  },
  statusPhases: {
    doc: 'Extra status words and their lifecycle phase, word=phase separated by commas (phase pending, in_progress, success or failed), e.g. queued=pending,rolled back=failed. Adds to and overrides the built-in table; the documented four keep their phases.',
    format: 'status-phases',
    default: '',
    env: 'TASKGATE_STATUS_PHASES',
  },
  unknownStatusPhase: {
    doc: 'Phase of a status word in no table (counted in taskgate_unknown_status_words_total): pending, in_progress, success or failed.',
    format: 'phase',
    default: 'in_progress',
    env: 'TASKGATE_UNKNOWN_STATUS_PHASE',
  },
  defaultUser: {
    doc: 'User id recorded as created.by and event author when authentication is off (TASKGATE_AUTH=off).',
    format: String,
    default: 'anonymous',
    env: 'TASKGATE_DEFAULT_USER',
  },
  auth: {
    doc: 'Request signing (X-VirtShell-Authorization) on every door: on, or off for local experiments only (warns at every start).',
    format: ['on', 'off'],
    default: 'on',
    env: 'TASKGATE_AUTH',
  },
  staticKeys: {
    doc: 'Extra keys from the environment, user:secret:role separated by commas (role read or write), e.g. for tests and compose. With any set, no first-start key is created.',
    default: '',
    env: 'TASKGATE_KEYS',
    format: 'static-keys',
    sensitive: true,
  },
  masterKey: {
    doc: 'Encrypts signing secrets in the keys table (AES-256-GCM): at least 32 random bytes, written as 64 hex or 44 base64 characters (openssl rand -base64 32). Without it secrets are stored unencrypted (warned at every start); `taskgate keys seal` encrypts the ones stored before it was set.',
    format: 'master-key',
    default: '',
    env: 'TASKGATE_MASTER_KEY',
    sensitive: true,
  },
  publicUrl: {
    doc: 'The URL callers outside use to reach this instance, e.g. http://localhost:4001 behind a port mapping or https://tasks.example.com behind a proxy; used in the start-up log and the first-start key\'s example. Unset: http://localhost:<PORT>.',
    format: 'public-url',
    default: '',
    env: 'TASKGATE_PUBLIC_URL',
  },
  clockSkew: {
    doc: 'Seconds a request Date may differ from the server clock before RequestTimeTooSkewed.',
    format: 'positive-int',
    default: 900,
    env: 'TASKGATE_CLOCK_SKEW',
  },
  requireBodyMd5: {
    doc: 'Refuse a request body without Content-MD5 (on), or accept it unsigned for callers behind TLS that cannot send it (off).',
    format: ['on', 'off'],
    default: 'on',
    env: 'TASKGATE_REQUIRE_BODY_MD5',
  },
  presignMaxSeconds: {
    doc: 'Furthest ahead, in seconds, a presigned URL (GET /tasks/events, the WebSocket) may expire; one further ahead is refused with PresignedUrlTooLong.',
    format: 'positive-int',
    default: 3600,
    env: 'TASKGATE_PRESIGN_MAX_SECONDS',
  },
  headersTimeoutMs: {
    doc: 'Milliseconds a client has to send the request headers; a slower one is cut (node:http headersTimeout).',
    format: 'positive-int',
    default: 10000,
    env: 'TASKGATE_HEADERS_TIMEOUT_MS',
  },
  bodyTimeoutMs: {
    doc: 'Milliseconds a signed client has to send its request body once it was authenticated; a slower upload is answered 408 and cut.',
    format: 'positive-int',
    default: 30000,
    env: 'TASKGATE_BODY_TIMEOUT_MS',
  },
  keysRefresh: {
    doc: 'Seconds between re-reads of the keys table: a key revoked elsewhere stops working (and its sockets close) within this time.',
    format: 'positive-int',
    default: 5,
    env: 'TASKGATE_KEYS_REFRESH',
  },
  redisUrl: {
    doc: 'Redis shared by all instances (redis://[:password@]host:6379[/db]): carries task events between gateways and holds the replay guard and the fair-share counts. Unset: events and fair-share counts stay in this process and the replay guard is kept in the database.',
    format: String,
    default: '',
    env: 'REDIS_URL',
    sensitive: true,
  },
  redisChannel: {
    doc: 'Redis pub/sub channel for task events; instances that should share events use the same one.',
    format: String,
    default: 'taskgate:task-events',
    env: 'TASKGATE_REDIS_CHANNEL',
  },
  wsMaxSubscriptions: {
    doc: 'Active subscriptions one WebSocket connection may hold; more are refused with TOO_MANY_SUBSCRIPTIONS.',
    format: 'positive-int',
    default: 100,
    env: 'TASKGATE_WS_MAX_SUBSCRIPTIONS',
  },
  wsQueueLimit: {
    doc: 'Events queued for one subscription before its connection is closed as too slow (code 4008); it can resume with `after`.',
    format: 'positive-int',
    default: 1000,
    env: 'TASKGATE_WS_QUEUE_LIMIT',
  },
  wsInitTimeoutMs: {
    doc: 'Milliseconds a WebSocket client has to send connection_init before it is closed (4408).',
    format: 'positive-int',
    default: 10_000,
    env: 'TASKGATE_WS_INIT_TIMEOUT_MS',
  },
  wsKeepAliveMs: {
    doc: 'Milliseconds between WebSocket pings; a client that does not answer within the same time is dropped.',
    format: 'positive-int',
    default: 12_000,
    env: 'TASKGATE_WS_KEEPALIVE_MS',
  },
  sseKeepAliveMs: {
    doc: 'Milliseconds between keep-alive comments on a Server-Sent Events stream (GET /tasks/events), so proxies keep it open.',
    format: 'positive-int',
    default: 15_000,
    env: 'TASKGATE_SSE_KEEPALIVE_MS',
  },
  legacyPrefixes: {
    doc: 'Comma-separated path prefixes where the legacy Tasks REST API is served; "/" is the root (/tasks/...).',
    format: 'path-prefixes',
    default: '/api/virtshell/v1,/',
    env: 'TASKGATE_LEGACY_PREFIXES',
  },
  maxDepth: {
    doc: 'Deepest field nesting a GraphQL document may have.',
    format: 'positive-int',
    default: 6,
    env: 'TASKGATE_MAX_DEPTH',
  },
  maxAliases: {
    doc: 'Most aliases a GraphQL document may use.',
    format: 'positive-int',
    default: 15,
    env: 'TASKGATE_MAX_ALIASES',
  },
  maxCost: {
    doc: 'Highest cost of a GraphQL operation: one point per object it can return (lists count first, or their default size), 1000 per totalCount.',
    format: 'positive-int',
    default: 5000,
    env: 'TASKGATE_MAX_COST',
  },
  maxTokens: {
    doc: 'Most lexical tokens a GraphQL document may have (refused before it is parsed further).',
    format: 'positive-int',
    default: 1000,
    env: 'TASKGATE_MAX_TOKENS',
  },
  maxDocumentBytes: {
    doc: 'Largest GraphQL document text accepted, in bytes, comments and whitespace included (refused before it is parsed).',
    format: 'positive-int',
    default: 32_768,
    env: 'TASKGATE_MAX_DOCUMENT_BYTES',
  },
  maxResponseBytes: {
    doc: 'Most bytes of task logs one GraphQL answer may carry; past it the remaining log fields are null and the answer carries a RESPONSE_TOO_LARGE error.',
    format: 'positive-int',
    default: 16_777_216,
    env: 'TASKGATE_MAX_RESPONSE_BYTES',
  },
  introspection: {
    doc: 'GraphQL introspection: auto (on except in production), on or off.',
    format: ['auto', 'on', 'off'],
    default: 'auto',
    env: 'TASKGATE_INTROSPECTION',
  },
  corsOrigins: {
    doc: 'Origins allowed to call from a browser, separated by commas (* for any); empty sends no CORS headers.',
    format: String,
    default: '',
    env: 'TASKGATE_CORS_ORIGINS',
  },
  wsMaxMessageBytes: {
    doc: 'Largest WebSocket message accepted, in bytes; larger ones close the socket.',
    format: 'positive-int',
    default: 65_536,
    env: 'TASKGATE_WS_MAX_MESSAGE',
  },
  fairShare: {
    doc: 'Per-key fair share (the TASKGATE_FAIR_* ceilings, budgets and the database reserve): on, or off to lift them all (comparisons, emergencies).',
    format: ['on', 'off'],
    default: 'on',
    env: 'TASKGATE_FAIR_SHARE',
  },
  fairListings: {
    doc: 'Streamed task listings (GET /tasks/ and the status listings) one key may have open at once, across instances with REDIS_URL; more are refused with 429 and Retry-After.',
    format: 'positive-int',
    default: 4,
    env: 'TASKGATE_FAIR_LISTINGS',
  },
  fairSseStreams: {
    doc: 'Server-Sent Events streams (GET /tasks/events) one key may have open at once, across instances with REDIS_URL; more are refused with 429 and Retry-After.',
    format: 'positive-int',
    default: 20,
    env: 'TASKGATE_FAIR_SSE_STREAMS',
  },
  fairWsConnections: {
    doc: 'GraphQL WebSocket connections one key may have open at once, across instances with REDIS_URL; more are closed with 4429.',
    format: 'positive-int',
    default: 1000,
    env: 'TASKGATE_FAIR_WS_CONNECTIONS',
  },
  fairWsSubscriptions: {
    doc: 'Active subscriptions one key may hold over all its WebSocket connections, across instances with REDIS_URL; more are refused with RATE_LIMITED.',
    format: 'positive-int',
    default: 2000,
    env: 'TASKGATE_FAIR_WS_SUBSCRIPTIONS',
  },
  fairHeavyCost: {
    doc: 'Cost from which a GraphQL operation counts as costly: it spends its cost from the key budget (TASKGATE_FAIR_COST_PER_SECOND) and needs one of the key slots (TASKGATE_FAIR_HEAVY_CONCURRENT). Cheaper operations are not counted.',
    format: 'positive-int',
    default: 2000,
    env: 'TASKGATE_FAIR_HEAVY_COST',
  },
  fairHeavyConcurrent: {
    doc: 'Costly GraphQL operations one key may run at once, across instances with REDIS_URL; more are refused with RATE_LIMITED (HTTP 429, Retry-After).',
    format: 'positive-int',
    default: 2,
    env: 'TASKGATE_FAIR_HEAVY_CONCURRENT',
  },
  fairCostPerSecond: {
    doc: 'Cost points one key may spend on costly GraphQL operations per second, across instances with REDIS_URL; beyond it they are refused with RATE_LIMITED and a Retry-After.',
    format: 'positive-int',
    default: 20_000,
    env: 'TASKGATE_FAIR_COST_PER_SECOND',
  },
  fairReservedConnections: {
    doc: 'Database connections of this instance that costly GraphQL operations never take together (they run at most DATABASE_POOL_SIZE minus this at once), so cheap reads always find one.',
    format: 'nat',
    default: 2,
    env: 'TASKGATE_FAIR_RESERVED_CONNECTIONS',
  },
  fairHeavyShare: {
    doc: 'Percentage of this instance time costly GraphQL operations may take: after one ran for E ms, the next are refused (429, Retry-After) for E * (100 / share - 1) ms, so cheap requests are answered in between.',
    format: 'percentage',
    default: 25,
    env: 'TASKGATE_FAIR_HEAVY_SHARE',
  },
  fairRedisPrefix: {
    doc: 'Prefix of the Redis keys holding the shared fair-share counts and budgets; instances that share limits use the same one.',
    format: String,
    default: 'taskgate:fair:',
    env: 'TASKGATE_FAIR_REDIS_PREFIX',
  },
};

convict.addFormat({
  name: 'positive-int',
  validate(value: unknown) {
    if (!Number.isInteger(value) || (value as number) < 1) throw new Error('must be a positive whole number');
  },
  coerce: (value: string) => (/^\d+$/.test(String(value)) ? Number(value) : value),
});

convict.addFormat({
  name: 'percentage',
  validate(value: unknown) {
    if (!Number.isInteger(value) || (value as number) < 1 || (value as number) > 100) throw new Error('must be a whole number from 1 to 100');
  },
  coerce: (value: string) => (/^\d+$/.test(String(value)) ? Number(value) : value),
});

convict.addFormat({
  name: 'path-prefixes',
  validate(value: unknown) {
    parsePathPrefixes(String(value));
  },
});

convict.addFormat({
  name: 'static-keys',
  validate(value: unknown) {
    String(value)
      .split(',')
      .map((entry) => entry.trim())
      .filter(Boolean)
      .forEach((entry, index) => {
        const [user, secret, role = 'write', ...rest] = entry.split(':');
        if (!user || !secret || rest.length || (role !== 'read' && role !== 'write')) throw new Error(`entry ${index + 1} is not user:secret:role (role read or write)`);
      });
  },
});

convict.addFormat({
  name: 'master-key',
  validate(value: unknown) {
    const problem = masterKeyProblem(String(value));
    if (problem) throw new Error(problem);
  },
});

convict.addFormat({
  name: 'status-phases',
  validate(value: unknown) {
    parsePhaseOverrides(String(value));
  },
});

convict.addFormat({
  name: 'public-url',
  validate(value: unknown) {
    const text = String(value);
    if (!text) return;
    let url: URL;
    try {
      url = new URL(text);
    } catch {
      throw new Error('expected a URL such as http://localhost:4001 or https://tasks.example.com');
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error('expected an http:// or https:// URL');
    if (url.pathname !== '/' || url.search || url.hash) throw new Error('expected scheme, host and port only (no path), e.g. http://localhost:4001');
  },
});

/**
 * Why a master key is too weak, or undefined. It must carry at least 32 random bytes: as 64+ hex
 * digits or 43+ base64 characters (what `openssl rand -hex 32` / `-base64 32` print), not a few
 * characters repeated. (A passphrase cannot be measured, so none is accepted.) Empty = unset.
 */
export function masterKeyProblem(key: string): string | undefined {
  if (key === '') return undefined;
  const hex = /^[0-9a-fA-F]{64,}$/.test(key);
  const base64 = /^[A-Za-z0-9+/_-]{43,}={0,2}$/.test(key) && Buffer.from(key, 'base64').length >= 32;
  // Random bytes use many different characters (64 random hex digits show about 16, 44 base64
  // characters about 28); a key made of a few repeated ones is not random, whatever its length.
  const distinct = new Set(key.toLowerCase()).size;
  const repetitive = hex ? distinct < 10 : distinct < 16;
  if ((hex || base64) && !repetitive) return undefined;
  return `must be at least 32 random bytes written as 64 hex or 44 base64 characters (got ${key.length} characters${hex || base64 ? ' with too little variety' : ''}); make one with: openssl rand -base64 32`;
}

convict.addFormat({
  name: 'phase',
  validate(value: unknown) {
    parsePhase(String(value));
  },
});

convict.addFormat({
  name: 'database-url',
  validate(value: unknown) {
    parseDatabaseUrl(String(value));
  },
});

export type DatabaseConfig =
  | { kind: 'sqlite'; path: string }
  | {
      kind: 'mysql';
      /** TypeORM driver: `mariadb://` URLs use its MariaDB flavour (it reads MariaDB's catalogue differently). */
      flavor: 'mysql' | 'mariadb';
      host: string;
      port: number;
      user: string;
      password: string;
      database: string;
      /** Milliseconds a new connection may take before the attempt fails (fail fast while the database is down). */
      connectTimeoutMs?: number;
    };

/** Reads a DATABASE_URL into the driver settings; throws with the expected forms on anything else. */
export function parseDatabaseUrl(url: string): DatabaseConfig {
  if (url.startsWith('sqlite:')) {
    const path = url.slice('sqlite:'.length);
    if (!path) throw new Error('expected sqlite:<file path> or sqlite::memory:');
    return { kind: 'sqlite', path };
  }
  if (url.startsWith('mysql://') || url.startsWith('mariadb://')) {
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      throw new Error('expected mysql://user:password@host:port/database');
    }
    const database = decodeURIComponent(parsed.pathname.replace(/^\//, ''));
    if (!parsed.hostname || !database) throw new Error('expected mysql://user:password@host:port/database');
    return {
      kind: 'mysql',
      flavor: url.startsWith('mariadb:') ? 'mariadb' : 'mysql',
      host: parsed.hostname,
      port: parsed.port ? Number(parsed.port) : 3306,
      user: decodeURIComponent(parsed.username || 'root'),
      password: decodeURIComponent(parsed.password),
      database,
    };
  }
  throw new Error('expected sqlite:<path>, sqlite::memory:, mysql://... or mariadb://...');
}

/**
 * Reads "/api/virtshell/v1,/" into normalised prefixes ("/api/virtshell/v1", ""): no trailing
 * slash, the root as "". Longest first, so a nested prefix wins over the root.
 */
export function parsePathPrefixes(value: string): string[] {
  const prefixes = value
    .split(',')
    .map((p) => p.trim())
    .filter((p) => p.length > 0)
    .map((p) => {
      if (!p.startsWith('/') || /[?#%\s]|\/\//.test(p)) throw new Error(`expected paths like /api/virtshell/v1 or /, got ${p}`);
      return p.replace(/\/+$/, '');
    });
  if (prefixes.length === 0) throw new Error('expected at least one path prefix, e.g. /api/virtshell/v1,/');
  return [...new Set(prefixes)].sort((a, b) => b.length - a.length);
}

export interface AppConfig {
  env: 'development' | 'production' | 'test';
  port: number;
  host: string;
  database: DatabaseConfig & { poolSize: number };
  migrateOnStart: boolean;
  logLevel: string;
  logFormat: 'auto' | 'json' | 'pretty';
  metricsEnabled: boolean;
  /** Bearer token /metrics requires; '' leaves it open. */
  metricsToken: string;
  /** POST /graphql through graphql-js for known documents (graphql/direct-execution.ts). */
  directExecution: boolean;
  playgroundEnabled: boolean;
  boardEnabled: boolean;
  readyTimeoutMs: number;
  readyRequiresRedis: boolean;
  /** Where callers outside reach this instance (no trailing slash); '' when unset. */
  publicUrl: string;
  shutdownTimeoutMs: number;
  maxPageSize: number;
  bodyLimitBytes: number;
  /** Status words: overrides of the phase table and the phase of unknown words. */
  statusWords: { phases: Map<string, TaskStatus>; unknownPhase: TaskStatus };
  maxLogBytes: number;
  defaultUser: string;
  /** Null when events stay in-process. */
  redisUrl: string | null;
  redisChannel: string;
  ws: { maxSubscriptions: number; queueLimit: number; initTimeoutMs: number; keepAliveMs: number };
  /** Milliseconds between keep-alive comments on a legacy Server-Sent Events stream. */
  sseKeepAliveMs: number;
  /** Normalised legacy REST prefixes ("" is the root), longest first. */
  legacyPrefixes: string[];
  auth: {
    enabled: boolean;
    staticKeys: string;
    masterKey: string;
    clockSkewSeconds: number;
    requireBodyMd5: boolean;
    keysRefreshMs: number;
    presignMaxMs: number;
  };
  limits: {
    maxDepth: number;
    maxAliases: number;
    maxCost: number;
    maxTokens: number;
    maxDocumentBytes: number;
    maxResponseBytes: number;
    wsMaxMessageBytes: number;
  };
  /** node:http headersTimeout, and how long an authenticated body may take to arrive. */
  timeouts: { headersMs: number; bodyMs: number };
  introspection: boolean;
  corsOrigins: string[];
  /** Per-key fair share (src/fairness/): open streams, costly operations, the database reserve. */
  fairShare: {
    enabled: boolean;
    max: { listing: number; sse: number; wsConnection: number; wsSubscription: number; heavy: number };
    heavyCost: number;
    costPerSecond: number;
    reservedConnections: number;
    /** Fraction (0-1] of the instance's time costly operations may take. */
    heavyShare: number;
    redisPrefix: string;
  };
}

/** Raised when a setting is wrong; the message names the environment variable and what it expects. */
export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** Environment variable name and documentation of every setting, for the README and `.env.example`. */
export function describeSettings(): { env: string; default: unknown; doc: string }[] {
  return Object.values(schema).map((s) => ({ env: s.env, default: s.default, doc: s.doc }));
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): AppConfig {
  const settings = convict(schema, { env, args: [] });
  try {
    settings.validate({ allowed: 'strict' });
  } catch (error) {
    throw new ConfigError(explain(String((error as Error).message)));
  }
  const get = settings.get.bind(settings);
  return {
    env: get('env') as AppConfig['env'],
    port: get('port'),
    host: get('host'),
    database: withConnectTimeout(parseDatabaseUrl(get('databaseUrl')), get('databasePoolSize'), get('databaseConnectTimeoutMs')),
    migrateOnStart: get('migrate') === 'on',
    logLevel: get('logLevel'),
    logFormat: get('logFormat') as AppConfig['logFormat'],
    metricsEnabled: get('metrics') === 'on',
    metricsToken: get('metricsToken'),
    directExecution: get('directExecution') === 'on',
    playgroundEnabled: get('playground') === 'on',
    boardEnabled: get('board') === 'on',
    readyTimeoutMs: get('readyTimeoutMs'),
    readyRequiresRedis: get('readyRequiresRedis') === 'on',
    publicUrl: get('publicUrl').replace(/\/$/, ''),
    shutdownTimeoutMs: get('shutdownTimeoutMs'),
    maxPageSize: get('maxPageSize'),
    bodyLimitBytes: get('bodyLimitBytes'),
    statusWords: { phases: parsePhaseOverrides(get('statusPhases')), unknownPhase: parsePhase(get('unknownStatusPhase')) },
    maxLogBytes: get('maxLogBytes'),
    defaultUser: get('defaultUser'),
    redisUrl: get('redisUrl') || null,
    redisChannel: get('redisChannel'),
    ws: {
      maxSubscriptions: get('wsMaxSubscriptions'),
      queueLimit: get('wsQueueLimit'),
      initTimeoutMs: get('wsInitTimeoutMs'),
      keepAliveMs: get('wsKeepAliveMs'),
    },
    sseKeepAliveMs: get('sseKeepAliveMs'),
    legacyPrefixes: parsePathPrefixes(get('legacyPrefixes')),
    auth: {
      enabled: get('auth') === 'on',
      staticKeys: get('staticKeys'),
      masterKey: get('masterKey'),
      clockSkewSeconds: get('clockSkew'),
      requireBodyMd5: get('requireBodyMd5') === 'on',
      keysRefreshMs: get('keysRefresh') * 1000,
      presignMaxMs: get('presignMaxSeconds') * 1000,
    },
    timeouts: { headersMs: get('headersTimeoutMs'), bodyMs: get('bodyTimeoutMs') },
    limits: {
      maxDepth: get('maxDepth'),
      maxAliases: get('maxAliases'),
      maxCost: get('maxCost'),
      maxTokens: get('maxTokens'),
      maxDocumentBytes: get('maxDocumentBytes'),
      maxResponseBytes: get('maxResponseBytes'),
      wsMaxMessageBytes: get('wsMaxMessageBytes'),
    },
    introspection: get('introspection') === 'auto' ? get('env') !== 'production' : get('introspection') === 'on',
    corsOrigins: get('corsOrigins')
      .split(',')
      .map((origin: string) => origin.trim())
      .filter(Boolean),
    fairShare: {
      enabled: get('fairShare') === 'on',
      max: {
        listing: get('fairListings'),
        sse: get('fairSseStreams'),
        wsConnection: get('fairWsConnections'),
        wsSubscription: get('fairWsSubscriptions'),
        heavy: get('fairHeavyConcurrent'),
      },
      heavyCost: get('fairHeavyCost'),
      costPerSecond: get('fairCostPerSecond'),
      reservedConnections: get('fairReservedConnections'),
      heavyShare: get('fairHeavyShare') / 100,
      redisPrefix: get('fairRedisPrefix'),
    },
  };
}

function withConnectTimeout(database: DatabaseConfig, poolSize: number, connectTimeoutMs: number): AppConfig['database'] {
  return database.kind === 'mysql' ? { ...database, poolSize, connectTimeoutMs } : { ...database, poolSize };
}

/** Rewrites convict's "key: problem: value was ..." lines to name the environment variable instead. */
function explain(message: string): string {
  return message
    .split('\n')
    .map((line) => {
      const key = line.split(':')[0]?.trim() as keyof typeof schema;
      const setting = schema[key];
      if (!setting) return line;
      const problem = line.slice(line.indexOf(':') + 1).trim();
      // Never echo the value of a sensitive setting (a database URL carries a password).
      const shown = 'sensitive' in setting && setting.sensitive ? problem.replace(/: value was .*/, '') : problem;
      return `${setting.env}: ${shown}`;
    })
    .join('\n');
}
