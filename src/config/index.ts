import { InternalError } from '../domain/shared/index.js';
import { availableParallelism } from 'node:os';
import path from 'node:path';
import cron from 'node-cron';
import { z } from 'zod';

const LOG_LEVELS = ['error', 'warn', 'info', 'http', 'verbose', 'debug', 'silly'] as const;

const postgresUrl = z
  .string()
  .url()
  .refine((u) => /^postgres(ql)?:\/\//.test(u), 'must start with postgres:// or postgresql://');

const esdbUrl = z
  .string()
  .refine((u) => /^esdb(\+discover)?:\/\//.test(u), 'must be an esdb:// connection string');

const intFrom = (min: number, max: number) => z.coerce.number().int().min(min).max(max);

/** `1,3,5,7`: whole days after the first failure, increasing; `none` for no retries. */
const retryDays = z
  .string()
  .transform((text, ctx) => {
    if (text.trim() === 'none') return [];
    const days = text.split(',').map((d) => d.trim());
    if (!days.every((d) => /^\d{1,3}$/.test(d))) {
      ctx.addIssue({ code: 'custom', message: 'must be whole days separated by commas, such as 1,3,5,7 (or none)' });
      return z.NEVER;
    }
    const numbers = days.map(Number);
    if (!numbers.every((d, i) => d >= 1 && (i === 0 || d > numbers[i - 1]!))) {
      ctx.addIssue({ code: 'custom', message: 'each day must be at least 1 and later than the one before' });
      return z.NEVER;
    }
    return numbers;
  });

/**
 * Which parts a process runs (`npm start -- --role <role>`, or ROLE); the
 * parts of each are in src/root/roles.ts. A new role is a new member here.
 */
export const PROCESS_ROLES = z.enum(['all', 'api', 'scheduler', 'worker']);
export type ProcessRole = z.infer<typeof PROCESS_ROLES>;

const schema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  PORT: intFrom(0, 65_535).default(3000),
  HOST: z.string().min(1).default('0.0.0.0'),
  DATABASE_URL: postgresUrl.optional(),
  DATABASE_POOL_SIZE: intFrom(1, 500).default(20),
  EVENTSTORE_URL: esdbUrl.optional(),
  LOG_LEVEL: z.enum(LOG_LEVELS).default('http'),
  LOG_FORMAT: z.enum(['json', 'pretty', 'auto']).default('auto'),
  DATA_DIR: z.string().min(1).default('.data'),
  EMBEDDED_POSTGRES_PORT: intFrom(1, 65_535).default(54_329),
  PROJECTION_BATCH_SIZE: intFrom(1, 10_000).default(500),
  /** /ready fails when a projection has not caught up for longer than this. */
  READY_MAX_LAG_MS: intFrom(0, 3_600_000).default(10_000),
  SHUTDOWN_TIMEOUT_MS: intFrom(100, 600_000).default(15_000),
  /** HS256 key for access tokens. Unset: one is generated once and kept in DATA_DIR. */
  JWT_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
  ACCESS_TOKEN_TTL_SECONDS: intFrom(30, 86_400).default(900),
  REFRESH_TOKEN_TTL_SECONDS: intFrom(60, 31_536_000).default(30 * 86_400),
  AUTH_RATE_LIMIT_PER_MINUTE: intFrom(1, 1_000_000).default(30),
  API_RATE_LIMIT_PER_MINUTE: intFrom(1, 1_000_000).default(600),
  /** Browser origins allowed to call the API (`https://app.example.com,https://admin.example.com`); none unless set. */
  CORS_ORIGINS: z
    .string()
    .transform((text, ctx) => {
      const origins = text.split(',').map((o) => o.trim()).filter((o) => o !== '');
      for (const origin of origins) {
        const parsed = URL.canParse(origin) ? new URL(origin) : undefined;
        if (!parsed || !/^https?:$/.test(parsed.protocol) || parsed.origin !== origin) {
          ctx.addIssue({ code: 'custom', message: `${origin} is not an origin (scheme://host[:port], no path)` });
          return z.NEVER;
        }
      }
      return origins;
    })
    .default([]),
  /** Manual pay requests a USER may make per invoice in 24 hours; operators are not limited. */
  PAY_ATTEMPTS_PER_DAY: intFrom(1, 1_000).default(3),
  /** Minutes a payment attempt may go without a result before the gateway is asked for its outcome and the attempt closed with it. */
  PAYMENT_ATTEMPT_TIMEOUT_MINUTES: intFrom(1, 10_080).default(15),
  /** What a charge that lands on an invoice no longer owing it becomes: refunded to the card, or credit on the customer's balance. */
  OVERPAYMENT: z.enum(['refund', 'credit']).default('refund'),
  /** log2 of scrypt's N for new password hashes: 17 is OWASP's floor; tests use less. */
  SCRYPT_COST: intFrom(10, 20).default(17),
  /**
   * Password hashes running at once. Each holds a core and one of libuv's 4
   * threads for ~100 ms; half the cores leaves the rest to requests and PostgreSQL.
   */
  PASSWORD_HASH_CONCURRENCY: intFrom(1, 64).default(Math.max(1, Math.min(3, Math.floor(availableParallelism() / 2)))),
  /** Hashes that may wait for a slot; beyond it, logins answer 429 with Retry-After at once. */
  PASSWORD_HASH_QUEUE: intFrom(0, 10_000).default(8),
  /** How long a query with X-Min-Position waits for the projections it reads. */
  MIN_POSITION_WAIT_MS: intFrom(0, 60_000).default(5_000),
  /** How long an Idempotency-Key answer is replayed; never under Stripe's 24 h. */
  IDEMPOTENCY_RETENTION_HOURS: intFrom(24, 720).default(24),
  /** How long a scheduler trigger's lease outlives its holder's last renewal: a dead holder's triggers wait this long. */
  SCHEDULER_LEASE_TTL_MS: intFrom(1_000, 600_000).default(30_000),
  /** `off` runs no scheduler triggers in this process (the API's tests, or instances left to others). */
  SCHEDULER: z.enum(['on', 'off']).default('on'),
  ROLE: PROCESS_ROLES.default('all'),
  /** The billing run's node-cron expression (seconds first, UTC); unset, every minute at second 0. */
  BILLING_RUN_SCHEDULE: z.string().refine((s) => cron.validate(s), 'must be a node-cron expression').optional(),
  /** `simulated`: domain time moves only through POST /v1/test/clock/advance (test clocks, simulations). */
  CLOCK: z.enum(['system', 'simulated']).default('system'),
  /** Where a new simulated clock starts (an ISO instant); unset, now. A restart resumes where it was. */
  CLOCK_START: z.iso.datetime({ offset: true }).optional(),
  /** The longest span one advance of the test clock may cover, in months (default 10 years). */
  CLOCK_MAX_ADVANCE_MONTHS: intFrom(1, 1_200).default(120),
  /** Days after an invoice's first failed payment on which a soft decline is retried. */
  DUNNING_SCHEDULE_DAYS: retryDays.default([1, 3, 5, 7]),
  /** Days of grace after the last retry (or a hard decline) before the invoice is uncollectible and the subscription canceled. */
  GRACE_PERIOD_DAYS: intFrom(0, 365).default(30),
  /** The payment gateway; `simulated` answers by token (pm_ok, pm_declined, pm_insufficient_funds, pm_flaky_N). */
  PAYMENT_GATEWAY: z.enum(['simulated']).default('simulated'),
  /** Jobs (charges, notices) one worker process runs at once, per queue. */
  WORKER_CONCURRENCY: intFrom(1, 64).default(4),
  /** `true` lets webhook endpoints be loopback, private or link-local addresses (tests, a closed network); refused otherwise, at every connection. */
  WEBHOOK_ALLOW_PRIVATE: z
    .enum(['true', 'false'])
    .default('false')
    .transform((v) => v === 'true'),
  /** A delivery attempt that has no 2xx answer within this is a failure. */
  WEBHOOK_TIMEOUT_MS: intFrom(100, 60_000).default(15_000),
  /** Days the delivery log keeps request and response bodies (they may hold personal data); then they are emptied. */
  WEBHOOK_LOG_RETENTION_DAYS: intFrom(1, 3_650).default(30),
  /** Unset: notices are written as .eml files to $DATA_DIR/outbox. Set: sent through this SMTP server. */
  SMTP_URL: z
    .string()
    .url()
    .refine((u) => /^smtps?:\/\//.test(u), 'must start with smtp:// or smtps://')
    .optional(),
  /** The notices' sender: an address, or `Name <address>`; its domain also names their Message-IDs. */
  MAIL_FROM: z
    .string()
    .refine((s) => z.email().safeParse(/^[^<>]*<([^<>]+)>$/.exec(s)?.[1] ?? s).success, 'must be an address, or "Name <address>"')
    .default('billing@billstream.local'),
})
  // A scheduler-only process with nothing to schedule would run and do nothing: say so instead.
  .superRefine((c, ctx) => {
    if (c.ROLE === 'worker' && c.CLOCK === 'simulated')
      ctx.addIssue({ code: 'custom', path: ['ROLE'], message: 'with CLOCK=simulated the jobs run with the API that moves the clock: use role all' });
    if (c.ROLE !== 'scheduler') return;
    if (c.SCHEDULER === 'off') ctx.addIssue({ code: 'custom', path: ['ROLE'], message: 'role scheduler runs the triggers, which SCHEDULER=off turns off' });
    if (c.CLOCK === 'simulated')
      ctx.addIssue({ code: 'custom', path: ['ROLE'], message: 'with CLOCK=simulated the triggers run only when the API\'s test clock moves: use role api or all' });
  });

export type Config = Readonly<
  z.infer<typeof schema> & {
    /** Absolute path of the embedded PostgreSQL cluster. */
    embeddedPostgresDir: string;
  }
>;

export class ConfigError extends InternalError {
  constructor(readonly problems: readonly string[]) {
    super('config.invalid', `invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`, { problems });
  }
}

/** Parses the environment once. Every problem is reported, each naming its variable. */
export const loadConfig = (env: NodeJS.ProcessEnv, cwd: string = process.cwd()): Config => {
  // An empty variable means "unset", as in most twelve-factor tooling.
  const present = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const result = schema.safeParse(present);
  if (!result.success) {
    throw new ConfigError(
      result.error.issues.map((issue) => {
        const name = issue.path.join('.');
        const got = present[name];
        return `${name}: ${issue.message}${got === undefined ? '' : ` (got "${got}")`}`;
      }),
    );
  }
  return {
    ...result.data,
    embeddedPostgresDir: path.resolve(cwd, result.data.DATA_DIR, 'postgres'),
  };
};
