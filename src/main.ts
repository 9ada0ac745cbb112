import 'reflect-metadata';
import 'dotenv/config';
import { createApp } from './app';
import { ConfigError, loadConfig } from './config';

/** Process entry: config -> app -> listen; stops cleanly on SIGTERM and SIGINT. */
async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(`taskgate: bad configuration\n${error.message}`);
      process.exit(2);
    }
    throw error;
  }
  const app = await createApp(config);
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    app.logger.info({ signal }, 'shutting down');
    app.stop().then(
      () => {
        app.logger.info('stopped');
        process.exitCode = 0;
      },
      (error: unknown) => {
        app.logger.error({ err: error }, 'shutdown failed');
        process.exitCode = 1;
      },
    );
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
  try {
    await app.start();
  } catch (error) {
    app.logger.fatal({ err: error }, 'taskgate could not start');
    await app.stop().catch(() => undefined);
    process.exitCode = 1;
  }
}

void main();
