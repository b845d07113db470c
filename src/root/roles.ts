import { COLLECTION_QUEUES } from '../application/collection/index.js';
import type { ProcessRole } from '../config/index.js';
import type { Jobs } from '../jobs/index.js';

/**
 * At one instant: contracts end (their subscriptions with them), trials end,
 * cancellations take effect, then billing; then dunning: retries, reminders,
 * and the end of grace.
 */
export const TRIGGER_ORDER = ['contract-expiry', 'trial-end', 'period-end-cancellation', 'billing-run', 'payment-timeout', 'dunning-retry', 'reminders', 'grace-expiry', 'webhook-retries'];

/**
 * What each role runs besides migrations and the event store. Projections and
 * cascades run in every role: the API's X-Min-Position waits and /ready watch
 * this process's own runners, and the triggers read read models that must not
 * depend on another process being up. Two runners of one projection (or of
 * the cascades) on one database take turns: each batch locks its checkpoint
 * row and checks it still holds the position its runner last stored, so a
 * batch is applied, and a cascade's commands sent, by one of them only.
 */
export const ROLE_PARTS: Readonly<Record<ProcessRole, Readonly<{ api: boolean; triggers: boolean; workers: boolean }>>> = {
  all: { api: true, triggers: true, workers: true },
  api: { api: true, triggers: false, workers: false },
  scheduler: { api: false, triggers: true, workers: false },
  worker: { api: false, triggers: false, workers: true },
};

/**
 * Jobs of other processes change the table unheard: looked at again this often.
 * This process's own changes (its workers complete the jobs an advance waits
 * for) end the wait at once.
 */
const OTHERS_CHANGES_MS = 20;

/** Resolves once no job of the system's queues is due or running (true), or after `timeoutMs` (false). */
export const jobsIdle = async (jobs: Jobs, timeoutMs: number): Promise<boolean> => {
  const names = COLLECTION_QUEUES.map((q) => q.name);
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    // Read before the count: a change between the two ends the wait below at once instead of being missed.
    const generation = jobs.generation();
    // Its own jobs at work: their end is a change, and the count is asked then, not at every step.
    if (!jobs.working() && (await jobs.busy(names)) === 0) return true;
    if (Date.now() > deadline) return false;
    await jobs.changed(generation, OTHERS_CHANGES_MS);
  }
};
