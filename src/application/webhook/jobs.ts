import { acquireLease, releaseLease, renewLease } from '../../scheduler/runtime/index.js';
import type { Jobs, QueueSpec } from '../../jobs/index.js';
import { attemptDelivery, type DeliveryDeps } from './delivery.js';

/**
 * The webhooks' jobs: `drain` sends an endpoint's first attempts in log
 * order; `retry` makes one later attempt of one delivery. A retry never waits
 * behind the first attempts of later messages, nor they behind it. A job that
 * fails outright (the database away) is retried by pg-boss; a receiver's
 * failure is a result, recorded, not a failed job.
 */
export const WEBHOOKS: QueueSpec = { name: 'webhooks', retryLimit: 10, retryDelaySeconds: 5, expireInSeconds: 300 };

export type DrainJob = Readonly<{ kind: 'drain'; endpointId: string }>;
export type RetryJob = Readonly<{ kind: 'retry'; endpointId: string; messageId: string; attempt: number }>;
export type WebhookJob = DrainJob | RetryJob;

export type WebhookJobsDeps = DeliveryDeps & Readonly<{ jobs: Jobs; holder: string }>;

const PAGE = 100;
const LEASE_TTL_MS = 60_000;

export const createWebhookJobs = (deps: WebhookJobsDeps) => {
  const pending = (endpointId: string) =>
    deps.db
      .selectFrom('webhooks.deliveries')
      .select(['message_id'])
      .where('endpoint_id', '=', endpointId)
      .where('status', '=', 'pending')
      .orderBy('commit')
      .orderBy('prepare')
      .orderBy('seq')
      .limit(PAGE)
      .execute();

  /**
   * One drainer per endpoint at a time, under a lease: first attempts leave
   * in the order of the log. Another drain finding the lease held ends at
   * once; the holder looks once more after letting go, so a delivery written
   * while it held the lease is never left behind.
   */
  const drain = async (endpointId: string): Promise<void> => {
    const name = `webhook-drain:${endpointId}`;
    for (;;) {
      const lease = await acquireLease(deps.db, name, deps.holder, LEASE_TTL_MS);
      if (!lease) return;
      try {
        for (let page = await pending(endpointId); page.length > 0; page = await pending(endpointId)) {
          for (const { message_id } of page) {
            // Disabled meanwhile: its deliveries wait, pending, for it to be enabled again.
            if ((await attemptDelivery(deps, endpointId, message_id, 1)) === 'skipped' && !(await enabled(endpointId))) return;
            if (!(await renewLease(deps.db, lease, LEASE_TTL_MS))) return;
          }
        }
      } finally {
        await releaseLease(deps.db, lease);
      }
      if ((await pending(endpointId)).length === 0) return;
    }
  };

  const enabled = async (endpointId: string) =>
    (await deps.db.selectFrom('read.webhook_endpoints').select('enabled').where('endpoint_id', '=', endpointId).executeTakeFirst())?.enabled === true;

  return {
    run: async (job: WebhookJob): Promise<void> => {
      if (job.kind === 'drain') return drain(job.endpointId);
      await attemptDelivery(deps, job.endpointId, job.messageId, job.attempt);
    },
    /** Asks for a drain of each endpoint: after the outbox has committed their deliveries. */
    drain: async (endpointIds: Iterable<string>): Promise<void> => {
      for (const endpointId of endpointIds) await deps.jobs.nudge(WEBHOOKS.name, { kind: 'drain', endpointId } satisfies DrainJob);
    },
    /** A retry of one delivery, once per attempt number, however often asked. */
    retry: (endpointId: string, messageId: string, attempt: number) =>
      deps.jobs.enqueue(WEBHOOKS.name, `webhook:${endpointId}:${messageId}:${attempt}`, { kind: 'retry', endpointId, messageId, attempt } satisfies RetryJob),
  };
};

export type WebhookJobs = ReturnType<typeof createWebhookJobs>;
