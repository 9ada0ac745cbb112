import type { AppConfig } from '../config';

/**
 * One sentence for a person saying why taskgate could not start (or a command could not run)
 * and what to change, for the failures we expect: the port, the database. `expected` is false
 * for anything else, whose full error (stack included) still belongs in the log.
 */
export interface FailureExplanation {
  message: string;
  expected: boolean;
}

interface SystemError extends Error {
  code?: string;
  errno?: number | string;
  syscall?: string;
  address?: string;
  port?: number;
  path?: string;
  sqlMessage?: string;
}

/** Raised by app.start() around each step, so the explanation knows what was being done. */
export class StartStepError extends Error {
  constructor(
    readonly step: 'database' | 'listen' | 'other',
    override readonly cause: unknown,
  ) {
    super(cause instanceof Error ? cause.message : String(cause));
  }
}

/** Why the server could not listen on HOST:PORT, and which setting fixes it. */
function listenFailure(error: SystemError, config: Pick<AppConfig, 'host' | 'port'>): FailureExplanation | undefined {
  const where = `${config.host}:${config.port}`;
  switch (error.code) {
    case 'EADDRINUSE':
      return { expected: true, message: `port ${config.port} is already in use (${where}): stop what is using it, or set PORT to a free port` };
    case 'EACCES':
      return { expected: true, message: `no permission to listen on port ${config.port} (${where}): set PORT to a port above 1023` };
    case 'EADDRNOTAVAIL':
    case 'ENOTFOUND':
      return { expected: true, message: `HOST ${config.host} is not an address of this machine: set HOST (0.0.0.0 listens on every address)` };
    default:
      return undefined;
  }
}

/** The database failures a person can fix from the configuration (never prints the password). */
export function databaseFailure(error: unknown, config: Pick<AppConfig, 'database'>): FailureExplanation | undefined {
  const e = error as SystemError;
  const db = config.database;
  const target = db.kind === 'sqlite' ? `the SQLite file ${db.path}` : `${db.flavor} database ${db.database} at ${db.host}:${db.port}`;
  const detail = (e.sqlMessage ?? e.message ?? String(error)).split('\n', 1)[0];
  switch (e.code) {
    case 'ECONNREFUSED':
    case 'ETIMEDOUT':
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
    case 'EHOSTUNREACH':
    case 'PROTOCOL_CONNECTION_LOST':
      return { expected: true, message: `the database cannot be reached: ${target} (${e.code}): check DATABASE_URL and that the server is running` };
    case 'ER_ACCESS_DENIED_ERROR':
    case 'ER_DBACCESS_DENIED_ERROR':
      return { expected: true, message: `the database refused the login: ${detail}: check the user and password in DATABASE_URL` };
    case 'ER_BAD_DB_ERROR':
      return { expected: true, message: `${detail} on ${target}: create it (CREATE DATABASE ...) or fix its name in DATABASE_URL` };
    case 'EACCES':
    case 'EROFS':
    case 'EPERM':
    case 'ENOTDIR':
      return { expected: true, message: `no permission to create ${e.path ?? target}: set DATABASE_URL to a writable place (e.g. sqlite:/tmp/taskgate.db) or make the folder writable` };
    case 'SQLITE_CANTOPEN':
    case 'SQLITE_READONLY':
      return { expected: true, message: `cannot open ${target} for writing (${e.code}): check DATABASE_URL and that its folder is writable` };
    default:
      return undefined;
  }
}

/** The explanation for a failure of `taskgate serve` at start. */
export function explainStartFailure(error: unknown, config: Pick<AppConfig, 'host' | 'port' | 'database'>): FailureExplanation {
  const step = error instanceof StartStepError ? error.step : 'other';
  const cause = error instanceof StartStepError ? error.cause : error;
  const known = step === 'listen' ? listenFailure(cause as SystemError, config) : databaseFailure(cause, config);
  if (known) return known;
  const message = cause instanceof Error ? cause.message : String(cause);
  return { expected: false, message: step === 'database' ? `the database failed: ${message}` : message };
}
