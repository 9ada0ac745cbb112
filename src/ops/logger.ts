import pino, { type Logger } from 'pino';

export type { Logger };

/**
 * Structured JSON logs. Anything that could carry a secret (auth headers, signatures,
 * connection params, database URLs) is redacted before a line is written.
 */
export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
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
    destination,
  );
}
