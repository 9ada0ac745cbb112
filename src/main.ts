import 'reflect-metadata';
import { config as loadDotenv } from 'dotenv';
import { createApp } from './app';
import { ConfigError, loadConfig } from './config';
import { createLogger, wantsPretty } from './ops/logger';

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
  const app = await createApp(config, { logger });
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
    logger.fatal({ err: error }, 'taskgate could not start');
    process.off('SIGTERM', onSignal);
    process.off('SIGINT', onSignal);
    await app.stop().catch(() => undefined);
    process.exitCode = 1;
    return 1;
  }
}

if (require.main === module) void serve();
