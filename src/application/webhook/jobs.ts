import { acquireLease, releaseLease, renewLease } from '../../scheduler/runtime/index.js';
import type { Jobs, QueueSpec } from '../../jobs/index.js';
import { attemptDelivery, deliveriesOf, type DeliveryDeps } from './delivery.js';

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

const PAGE = 50;
const RENEW_EVERY_MS = 2_000;

/** Another worker drains the endpoint now: the job is tried again later (pg-boss's retry), when that lease may have ended. */
export class EndpointBusyError extends Error {
  constructor(endpointId: string) {
    super(`webhook endpoint ${endpointId} is being drained elsewhere; trying again later`);
  }
}

export const createWebhookJobs = (deps: WebhookJobsDeps) => {
  // Renewed at most every RENEW_EVERY_MS, before an attempt, which takes at most the timeout: the TTL outlasts both,
  // and a dead drainer's endpoint is free again soon after.
  const leaseTtlMs = deps.timeoutMs + RENEW_EVERY_MS + 5_000;
  /** Endpoints this process drains now: a nudge for one of them is not needed (the drainer looks again before it ends). */
  const draining = new Set<string>();
  const pending = (endpointId: string) =>
    deliveriesOf(deps.db)
      .where('d.endpoint_id', '=', endpointId)
      .where('d.status', '=', 'pending')
      .orderBy('d.commit')
      .orderBy('d.prepare')
      .orderBy('d.seq')
      .limit(PAGE)
      .execute();

  /**
   * One drainer per endpoint at a time, under a lease: first attempts leave
   * in the order of the log. The holder looks once more after letting go, so
   * a delivery written while it held the lease is never left behind; a drain
   * that finds the lease held fails, to be tried again once it may have
   * ended (a drainer killed mid-send holds it until its TTL).
   */
  const drain = async (endpointId: string): Promise<void> => {
    const name = `webhook-drain:${endpointId}`;
    for (let first = true; ; first = false) {
      const lease = await acquireLease(deps.db, name, deps.holder, leaseTtlMs);
      if (!lease) {
        if (first && (await pending(endpointId)).length > 0) throw new EndpointBusyError(endpointId);
        return;
      }
      draining.add(endpointId);
      let renewedAt = Date.now();
      try {
        for (let page = await pending(endpointId); page.length > 0; page = await pending(endpointId)) {
          const records: Promise<unknown>[] = [];
          let stop = false;
          for (const row of page) {
            // Disabled meanwhile: its deliveries wait, pending, for it to be enabled again.
            stop = (await attemptDelivery(deps, endpointId, row.message_id, 1, row, records)) === 'skipped' && !(await enabled(endpointId));
            if (!stop && Date.now() - renewedAt > RENEW_EVERY_MS) {
              stop = !(await renewLease(deps.db, lease, leaseTtlMs));
              renewedAt = Date.now();
            }
            if (stop) break;
          }
          // Every record written before the next page is read: an unwritten one would read as still pending.
          const failed = (await Promise.all(records)).find((r) => r instanceof Error);
          if (failed) throw failed;
          if (stop) return;
        }
      } finally {
        draining.delete(endpointId);
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
      for (const endpointId of endpointIds) if (!draining.has(endpointId)) await deps.jobs.nudge(WEBHOOKS.name, { kind: 'drain', endpointId } satisfies DrainJob);
    },
    /**
     * A retry of one delivery, once per attempt number and due instant,
     * however often asked (a replay or an enable that re-arms a delivery
     * gives it a new instant, so it is asked for again). `startAfter`: not
     * before then, on the wall clock.
     */
    retry: (endpointId: string, messageId: string, attempt: number, dueAt: Date, startAfter?: Date) =>
      deps.jobs.enqueue(
        WEBHOOKS.name,
        `webhook:${endpointId}:${messageId}:${attempt}:${dueAt.getTime()}`,
        { kind: 'retry', endpointId, messageId, attempt } satisfies RetryJob,
        startAfter && { startAfter },
      ),
  };
};

export type WebhookJobs = ReturnType<typeof createWebhookJobs>;
