import convict from 'convict';

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
  logLevel: {
    doc: 'Log level: fatal, error, warn, info, debug, trace or silent.',
    format: ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'],
    default: 'info',
    env: 'LOG_LEVEL',
  },
  maxPageSize: {
    doc: 'Largest page a `tasks` query may ask for with `first`.',
    format: 'positive-int',
    default: 500,
    env: 'TASKGATE_MAX_PAGE_SIZE',
  },
  bodyLimitBytes: {
    doc: 'Largest HTTP request body accepted, in bytes; larger bodies get 413.',
    format: 'positive-int',
    default: 1_048_576,
    env: 'TASKGATE_BODY_LIMIT',
  },
  defaultUser: {
    doc: 'User id recorded as created.by and event author while no authentication is in place.',
    format: String,
    default: 'anonymous',
    env: 'TASKGATE_DEFAULT_USER',
  },
  legacyPrefixes: {
    doc: 'Comma-separated path prefixes where the legacy Tasks REST API is served; "/" is the root (/tasks/...).',
    format: 'path-prefixes',
    default: '/api/virtshell/v1,/',
    env: 'TASKGATE_LEGACY_PREFIXES',
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
  name: 'path-prefixes',
  validate(value: unknown) {
    parsePathPrefixes(String(value));
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
  maxPageSize: number;
  bodyLimitBytes: number;
  defaultUser: string;
  /** Normalised legacy REST prefixes ("" is the root), longest first. */
  legacyPrefixes: string[];
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
    database: { ...parseDatabaseUrl(get('databaseUrl')), poolSize: get('databasePoolSize') },
    migrateOnStart: get('migrate') === 'on',
    logLevel: get('logLevel'),
    maxPageSize: get('maxPageSize'),
    bodyLimitBytes: get('bodyLimitBytes'),
    defaultUser: get('defaultUser'),
    legacyPrefixes: parsePathPrefixes(get('legacyPrefixes')),
  };
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
