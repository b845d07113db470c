import { sql, type Kysely } from 'kysely';
import type { Logger } from 'winston';
import type { Clock } from '../../clock/index.js';
import type { Database } from '../../db/index.js';
import type { WebhookJobs } from '../../application/webhook/index.js';
import { sweepTrigger, type DueWhen, type LeasedTrigger } from '../runtime/index.js';

export type WebhookTriggersDeps = Readonly<{
  db: Kysely<Database>;
  clock: Clock;
  logger: Logger;
  webhooks: WebhookJobs;
  /** Days the delivery log keeps request and response bodies (personal data); emptied after. */
  logRetentionDays: number;
  schedule?: string;
}>;

type Row = Readonly<{ id: string; endpoint_id: string; message_id: string; attempts: number; next_attempt_at: Date }>;

/** Deliveries whose next try has come, by one id made of both keys, for the sweep's keyset. */
const due = (db: Kysely<Database>) => async (now: Date, after: string | undefined, limit: number) =>
  (
    await sql<Row>`
      select endpoint_id || ' ' || message_id as id, endpoint_id, message_id, attempts, next_attempt_at
        from webhooks.deliveries
       where status = 'failed' and next_attempt_at <= ${now}
         ${after === undefined ? sql`` : sql`and endpoint_id || ' ' || message_id > ${after}`}
       order by 1
       limit ${limit}`.execute(db)
  ).rows;

const RETRIES: DueWhen = {
  now: (now) => sql<boolean>`exists (select 1 from webhooks.deliveries where status = 'failed' and next_attempt_at <= ${now})`,
  next: (now) => sql<Date | null>`(select min(next_attempt_at) from webhooks.deliveries where status = 'failed' and next_attempt_at > ${now})`,
};

/**
 * `webhook-retries`: each failed delivery whose next try has come gets one
 * retry job (keyed by its attempt number, so a second run asks for none
 * again), on the domain's clock: a simulated clock stops at each retry's
 * instant, but never waits for the webhooks' jobs. The same run empties the
 * delivery log's bodies older than the retention.
 */
export const webhookTriggers = (deps: WebhookTriggersDeps): LeasedTrigger[] => {
  const retries = sweepTrigger<Row>({
    name: 'webhook-retries',
    schedule: deps.schedule ?? '55 * * * * *',
    clock: deps.clock,
    logger: deps.logger,
    batchSize: 500,
    due: due(deps.db),
    dueWhen: RETRIES,
    act: (row) => deps.webhooks.retry(row.endpoint_id, row.message_id, row.attempts + 1, new Date(row.next_attempt_at)),
  });
  return [
    {
      ...retries,
      run: async (run) => {
        await retries.run(run);
        const before = new Date(deps.clock.now().getTime() - deps.logRetentionDays * 86_400_000);
        await deps.db
          .updateTable('webhooks.attempts')
          .set({ request_body: null, response_body: null })
          .where('attempted_at', '<', before)
          .where((eb) => eb.or([eb('request_body', 'is not', null), eb('response_body', 'is not', null)]))
          .execute();
      },
    },
  ];
};
