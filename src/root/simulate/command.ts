import { InvalidArgumentError, type Command } from 'commander';
import winston from 'winston';
import { loadConfig } from '../../config/index.js';
import { progressBar } from './progress.js';
import { simulate } from './run.js';
import { formatSummary } from './summary.js';
import { DEFAULT_TOKEN_MIX, formatTokenMix, parseTokenMix, TokenMixError } from './tokens.js';

type SimulateFlags = Readonly<{ from: string; to: string; subscriptions: string; seed: string; tokens?: string; keep?: boolean }>;

/** Bad input: the message on stderr and exit code 2, before any database is touched. */
const USAGE = { exitCode: 2, code: 'simulate.invalid_argument' } as const;

const DATE = /^\d{4}-\d{2}-\d{2}$/;
const INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:\d{2})$/;

/** A date (midnight UTC) or an ISO instant with an offset, as an ISO instant. */
const instantArg = (flag: string, text: string): string => {
  const ms = DATE.test(text) || INSTANT.test(text) ? Date.parse(text) : Number.NaN;
  if (Number.isNaN(ms)) throw new InvalidArgumentError(`${flag}: a date (2026-01-01, midnight UTC) or an ISO instant with an offset`);
  return new Date(ms).toISOString();
};

const wholeArg = (flag: string, text: string, min: number, max: number): number => {
  const n = /^\d+$/.test(text) ? Number(text) : Number.NaN;
  if (!(n >= min && n <= max)) throw new InvalidArgumentError(`${flag}: a whole number from ${min} to ${max}`);
  return n;
};

/** Logs go to stderr with the progress bar: stdout holds the summary alone. */
const stderrLogger = () =>
  winston.createLogger({
    level: process.env.LOG_LEVEL ?? 'warn',
    format: winston.format.combine(winston.format.timestamp(), winston.format.simple()),
    transports: [new winston.transports.Console({ stderrLevels: Object.keys(winston.config.npm.levels) })],
  });

/**
 * `billstream simulate`: a year (or any window) of billing in minutes, on a
 * fresh database that is dropped afterwards. Nothing of the operator's data
 * is read or written.
 */
export const registerSimulateCommand = (program: Command): void => {
  program
    .command('simulate')
    .description('run a seeded mix of subscriptions through the real system on a simulated clock, in a fresh database, and summarise what was billed')
    .requiredOption('--from <date>', 'where the clock starts: a date (midnight UTC) or an ISO instant')
    .requiredOption('--to <date>', 'where the clock stops')
    .option('--subscriptions <n>', 'how many subscriptions (each with its own customer and contract)', '100')
    .option('--seed <n>', 'the mix follows from it: the same seed, the same scenario', '1')
    .option(
      '--tokens <mix>',
      `the customers' payment methods: one token (pm_ok: everyone pays) or a weighted list token=weight,… of pm_ok, pm_declined, pm_insufficient_funds, pm_flaky_N and none (default ${formatTokenMix(DEFAULT_TOKEN_MIX)})`,
    )
    .option('--keep', 'keep the database (and the notices\' outbox) at the end and print where they are, instead of dropping them')
    .action(async (flags: SimulateFlags, command: Command) => {
      const parsed = (() => {
        try {
          const from = instantArg('--from', flags.from);
          const to = instantArg('--to', flags.to);
          if (Date.parse(to) <= Date.parse(from)) throw new InvalidArgumentError('--to must be after --from');
          const subscriptions = wholeArg('--subscriptions', flags.subscriptions, 1, 1_000_000);
          const seed = wholeArg('--seed', flags.seed, 0, 4_294_967_295);
          const tokens = flags.tokens === undefined ? DEFAULT_TOKEN_MIX : parseTokenMix(flags.tokens);
          return { from, to, subscriptions, seed, tokens };
        } catch (err) {
          if (err instanceof TokenMixError) return command.error(`billstream simulate: --tokens: ${err.message}`, USAGE);
          if (err instanceof InvalidArgumentError) return command.error(`billstream simulate: ${err.message}`, USAGE);
          throw err;
        }
      })();
      const config = loadConfig(process.env);
      const controller = new AbortController();
      const interrupt = () => {
        process.stderr.write('\ninterrupted: stopping after this instant, then cleaning up\n');
        controller.abort();
      };
      process.once('SIGINT', interrupt);
      try {
        const result = await simulate({
          ...parsed,
          keep: flags.keep === true,
          config,
          logger: stderrLogger(),
          progress: progressBar(process.stderr),
          signal: controller.signal,
        });
        process.stdout.write(formatSummary(result.header, result.summary));
        if (result.databaseUrl) {
          // The embedded server stops with the run unless a running `npm start` shares it; its next start may pick another port.
          const where = config.DATABASE_URL ? '' : ` (in the embedded PostgreSQL of ${config.embeddedPostgresDir}, reachable while it runs)`;
          process.stdout.write(`kept: ${result.databaseUrl}${where}\n`);
        }
        if (result.outbox) process.stdout.write(`notices: ${result.outbox}\n`);
      } finally {
        process.off('SIGINT', interrupt);
      }
    });
};
