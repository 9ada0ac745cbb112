import 'reflect-metadata';
import { config as loadDotenv } from 'dotenv';
import { createApp } from './app';
import { ConfigError, loadConfig } from './config';
import { createLogger, wantsPretty } from './ops/logger';
import { explainStartFailure, StartStepError } from './ops/start-failure';

/**
 * `taskgate serve` / `npm start`: config -> app -> listen. SIGTERM and SIGINT start a graceful
 * stop (drain, close, exit code 0); the process ends by itself once nothing is left running.
 * Resolves with the exit code it set.
 */
export async function serve(): Promise<number> {
  loadDotenv({ quiet: true });
  let config;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(`taskgate: bad configuration\n${error.message}`);
      process.exitCode = 2;
      return 2;
    }
    throw error;
  }
  const logger = createLogger(config.logLevel, undefined, { pretty: wantsPretty(config.logFormat, config.env) });
  // Every failure at start is one line saying what to change, and exit code 1. Only failures we
  // did not expect carry their stack (in the same line's `err`).
  const couldNotStart = (error: unknown): number => {
    const why = explainStartFailure(error, config);
    logger.fatal(why.expected ? {} : { err: error instanceof StartStepError ? error.cause : error }, `taskgate could not start: ${why.message}`);
    process.exitCode = 1;
    return 1;
  };
  let app;
  try {
    app = await createApp(config, { logger });
  } catch (error) {
    return couldNotStart(error);
  }
  let stopping: Promise<void> | undefined;
  const onSignal = (signal: NodeJS.Signals) => {
    if (stopping) {
      logger.warn({ signal }, 'already shutting down; waiting for in-flight work');
      return;
    }
    logger.info({ signal, timeoutMs: config.shutdownTimeoutMs }, 'shutting down');
    stopping = app.stop().then(
      () => {
        logger.info('stopped');
        process.exitCode = 0;
        process.off('SIGTERM', onSignal);
        process.off('SIGINT', onSignal);
      },
      (error: unknown) => {
        logger.error({ err: error }, 'shutdown failed');
        process.exitCode = 1;
      },
    );
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
  try {
    await app.start();
    return 0;
  } catch (error) {
    process.off('SIGTERM', onSignal);
    process.off('SIGINT', onSignal);
    await app.stop().catch(() => undefined);
    return couldNotStart(error);
  }
}

if (require.main === module) void serve();
