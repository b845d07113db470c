import { loadConfig, ConfigError } from './config.js';
import { createLogger } from './logger.js';
import { startSystem } from './system.js';

const main = async (): Promise<void> => {
  let config;
  try {
    config = loadConfig(process.env);
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\n`);
      process.exit(2);
    }
    throw err;
  }
  const logger = createLogger({ level: config.LOG_LEVEL, format: config.LOG_FORMAT });
  const system = await startSystem(config, logger).catch((err: unknown) => {
    logger.error('start-up failed', { err: err instanceof Error ? err.message : String(err) });
    process.exit(1);
  });

  let firstSignalAt: number | undefined;
  const shutdown = (signal: NodeJS.Signals) => {
    if (firstSignalAt !== undefined) {
      // One Ctrl-C can arrive twice: from the terminal and relayed by npm. A later one means "now".
      if (Date.now() - firstSignalAt < 1_000) return;
      logger.warn(`${signal} again: exiting without a clean stop`);
      process.exit(1);
    }
    firstSignalAt = Date.now();
    logger.info(`${signal} received`);
    const timer = setTimeout(() => {
      logger.error('shutdown timed out');
      process.exit(1);
    }, config.SHUTDOWN_TIMEOUT_MS);
    timer.unref();
    system.stop().then(
      () => process.exit(0),
      (err: unknown) => {
        logger.error('shutdown failed', { err: err instanceof Error ? err.message : String(err) });
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', shutdown);
  process.on('SIGTERM', shutdown);
};

await main();
