import winston from 'winston';

export type LoggerOptions = Readonly<{
  level: string;
  format: 'json' | 'pretty' | 'auto';
}>;

/** JSON lines for machines; a readable line when a person watches a terminal. */
export const createLogger = (options: LoggerOptions): winston.Logger => {
  const pretty = options.format === 'pretty' || (options.format === 'auto' && process.stdout.isTTY === true);
  const format = pretty
    ? winston.format.combine(
        winston.format.timestamp({ format: 'HH:mm:ss.SSS' }),
        winston.format.colorize(),
        winston.format.printf(({ timestamp, level, message, ...rest }) => {
          const extra = Object.keys(rest).length ? ` ${JSON.stringify(rest)}` : '';
          return `${String(timestamp)} ${level} ${String(message)}${extra}`;
        }),
      )
    : winston.format.combine(winston.format.timestamp(), winston.format.json());
  return winston.createLogger({
    level: options.level,
    format,
    transports: [new winston.transports.Console()],
  });
};

/** For tests and tools that must stay quiet. */
export const createSilentLogger = (): winston.Logger =>
  winston.createLogger({ silent: true, transports: [new winston.transports.Console({ silent: true })] });
