import winston from 'winston';

export type LoggerOptions = Readonly<{
  level: string;
  format: 'json' | 'pretty' | 'auto';
}>;

/** JSON lines for machines; a readable line when a person watches a terminal. */
export const createLogger = (options: LoggerOptions): winston.Logger => {
  const pretty = options.format === 'pretty' || (options.format === 'auto' && process.stdout.isTTY === true);
  // winston formats every line before its transport drops those below the level: dropped first, a line not wanted costs no formatting.
  const wanted = winston.format((info) => (logger.isLevelEnabled(info.level) ? info : false))();
  const format = pretty
    ? winston.format.combine(
        wanted,
        winston.format.timestamp({ format: 'HH:mm:ss.SSS' }),
        winston.format.colorize(),
        winston.format.printf(({ timestamp, level, message, ...rest }) => {
          const extra = Object.keys(rest).length ? ` ${JSON.stringify(rest)}` : '';
          return `${String(timestamp)} ${level} ${String(message)}${extra}`;
        }),
      )
    : winston.format.combine(wanted, winston.format.timestamp(), winston.format.json());
  const logger = winston.createLogger({
    level: options.level,
    format,
    transports: [new winston.transports.Console()],
  });
  return logger;
};

/** For tests and tools that must stay quiet. */
export const createSilentLogger = (): winston.Logger =>
  winston.createLogger({ silent: true, transports: [new winston.transports.Console({ silent: true })] });
