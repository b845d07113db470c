import type { Kysely } from 'kysely';
import type { Logger } from 'winston';
import { createMailer } from '../application/notice/index.js';
import { createWebhookEndpoints, createWebhookJobs, disableFailingEndpoint, WEBHOOKS, type WebhookJobs } from '../application/webhook/index.js';
import type { Clock } from '../clock/index.js';
import type { Config } from '../config/index.js';
import type { Database } from '../db/index.js';
import type { EventStore } from '../eventstore/index.js';
import type { Jobs } from '../jobs/index.js';
import { webhookTriggers } from '../scheduler/webhook/index.js';

export type WebhooksDeps = Readonly<{
  config: Pick<Config, 'WEBHOOK_ALLOW_PRIVATE' | 'WEBHOOK_TIMEOUT_MS' | 'WEBHOOK_LOG_RETENTION_DAYS' | 'WORKER_CONCURRENCY' | 'DATA_DIR' | 'SMTP_URL' | 'MAIL_FROM'>;
  db: Kysely<Database>;
  store: EventStore;
  clock: Clock;
  wall: Clock;
  logger: Logger;
  /** Started on WEBHOOKS. */
  jobs: Jobs;
  holder: string;
  /** The domain runs on a simulated clock: retries wait for the clock's stops, not for pg-boss's wall-clock start. */
  simulated: boolean;
}>;

/**
 * Outbound webhooks as one process runs them: the endpoints' commands, the
 * delivery jobs (drains in log order, retries), and the trigger that asks for
 * the retries that have come due.
 */
export const assembleWebhooks = (deps: WebhooksDeps) => {
  const { config, db, store, clock, wall, logger, jobs } = deps;
  const disableFailing = disableFailingEndpoint({ store, clock, logger, mailer: createMailer(config), mailFrom: config.MAIL_FROM });
  // The delivery asks the jobs for its retries, and the jobs run the delivery: the one made second is handed to the first.
  const late: { jobs?: WebhookJobs } = {};
  const delivery = {
    db,
    clock,
    wall,
    logger,
    allowPrivate: config.WEBHOOK_ALLOW_PRIVATE,
    timeoutMs: config.WEBHOOK_TIMEOUT_MS,
    disableFailing,
    ...(!deps.simulated && {
      scheduleRetry: (endpointId: string, messageId: string, attempt: number, dueAt: Date) => late.jobs!.retry(endpointId, messageId, attempt, dueAt, dueAt),
    }),
  };
  const webhookJobs = createWebhookJobs({ ...delivery, jobs, holder: deps.holder });
  late.jobs = webhookJobs;
  return {
    jobs: webhookJobs,
    endpoints: createWebhookEndpoints({ db, store, wall, clock, jobs: webhookJobs, allowPrivate: config.WEBHOOK_ALLOW_PRIVATE }),
    triggers: () => webhookTriggers({ db, clock, logger, webhooks: webhookJobs, logRetentionDays: config.WEBHOOK_LOG_RETENTION_DAYS }),
    /** Runs the delivery jobs here, and drains what was left waiting (a nudge lost to a restart). */
    work: async () => {
      await jobs.work(WEBHOOKS.name, webhookJobs.run, { concurrency: config.WORKER_CONCURRENCY });
      const waiting = await db.selectFrom('webhooks.deliveries').select('endpoint_id').distinct().where('status', '=', 'pending').execute();
      await webhookJobs.drain(waiting.map((r) => r.endpoint_id));
    },
  };
};

export type Webhooks = ReturnType<typeof assembleWebhooks>;
