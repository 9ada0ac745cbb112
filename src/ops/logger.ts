import pino, { type Logger } from 'pino';

export type { Logger };

export interface LoggerOptions {
  /** Human-readable lines through pino-pretty (skipped, with JSON kept, when it is not installed). */
  pretty?: boolean;
}

/**
 * Structured JSON logs. Anything that could carry a secret (auth headers, signatures,
 * connection params, database URLs) is redacted before a line is written.
 */
export function createLogger(level: string, destination?: pino.DestinationStream, options: LoggerOptions = {}): Logger {
  return pino(
    {
      level,
      base: { service: 'taskgate' },
      redact: {
        paths: [
          'req.headers.authorization',
          'req.headers["x-virtshell-authorization"]',
          'req.headers.cookie',
          'connectionParams',
          '*.authorization',
          '*.secret',
          '*.password',
          'databaseUrl',
        ],
        censor: '[redacted]',
      },
    },
    destination ?? (options.pretty ? prettyStream() : undefined),
  );
}

/** Pretty output only when asked (LOG_FORMAT=pretty), or in development when stdout is a terminal. */
export function wantsPretty(format: 'auto' | 'json' | 'pretty', env: string, isTty = Boolean(process.stdout.isTTY)): boolean {
  if (format !== 'auto') return format === 'pretty';
  return env === 'development' && isTty;
}

function prettyStream(): pino.DestinationStream | undefined {
  try {
    // Loaded only when wanted; synchronous so nothing is lost at exit.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const pretty = require('pino-pretty') as (options: object) => pino.DestinationStream;
    return pretty({ colorize: true, sync: true, translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname,service' });
  } catch {
    return undefined;
  }
}
