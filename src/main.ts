import { parseArgs } from 'node:util';
import { loadConfig, ConfigError, PROCESS_ROLES } from './config/index.js';
import { createLogger } from './logger/index.js';
import { startRole } from './root/index.js';

const USAGE = `usage: node --import tsx src/main.ts [--role ${PROCESS_ROLES.options.join('|')}]`;

/** `--role` and nothing else; it wins over ROLE. A bad command line exits 2, as a bad configuration does. */
const readRole = (): string | undefined => {
  try {
    const { values } = parseArgs({ options: { role: { type: 'string' } }, strict: true, allowPositionals: false });
    const role = values.role;
    if (role !== undefined && !PROCESS_ROLES.safeParse(role).success) {
      throw new Error(`unknown role "${role}": --role takes one of ${PROCESS_ROLES.options.join(', ')}`);
    }
    return role;
  } catch (err) {
    process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n${USAGE}\n`);
    process.exit(2);
  }
};

const main = async (): Promise<void> => {
  const role = readRole();
  let config;
  try {
    config = loadConfig({ ...process.env, ...(role !== undefined && { ROLE: role }) });
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\n`);
      process.exit(2);
    }
    throw err;
  }
  const logger = createLogger({ level: config.LOG_LEVEL, format: config.LOG_FORMAT });
  const system = await startRole(config, logger).catch((err: unknown) => {
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
