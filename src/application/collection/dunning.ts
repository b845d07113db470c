import type { Config } from '../../config/index.js';
import type { DunningPolicy } from '../../domain/invoice/index.js';

/**
 * The dunning schedule, from the configuration: after a soft decline, retries
 * DUNNING_SCHEDULE_DAYS after the first failure (default 1, 3, 5 and 7
 * days); after the last one, or at once on a hard decline, GRACE_PERIOD_DAYS
 * of grace (default 30), then the invoice is uncollectible and its
 * subscription canceled. Reminders: ./reminders.ts. What a failure leads to
 * is decided on the invoice's stream (src/domain/invoice/collection.ts,
 * `afterFailure`), so a late or repeated run never shifts the plan.
 */
export const dunningPolicyOf = (config: Pick<Config, 'DUNNING_SCHEDULE_DAYS' | 'GRACE_PERIOD_DAYS'>): DunningPolicy => ({
  retryDays: config.DUNNING_SCHEDULE_DAYS,
  graceDays: config.GRACE_PERIOD_DAYS,
});
