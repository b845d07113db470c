import pLimit from 'p-limit';
import { createBatchBilling, type ManyBilling, type OneByOne } from './billBatch.js';
import type { BillingDeps } from './types.js';

/** Batches where the store has them (PostgreSQL); one subscription at a time, `concurrency` at once, elsewhere. */
export const billManyWith = (deps: BillingDeps, oneByOne: OneByOne): ManyBilling => {
  const { batch } = deps.store;
  if (batch) return createBatchBilling({ ...deps, batch }, oneByOne);
  return {
    prepare: async (subscriptionIds, until) => ({
      until,
      outcomes: new Map(),
      owed: new Map(),
      missing: new Map(),
      known: new Map(),
      oneByOneIds: subscriptionIds,
    }),
    complete: async (prepared, origin, concurrency) => {
      const limit = pLimit(concurrency);
      const ids = prepared.oneByOneIds;
      const settled = await Promise.allSettled(ids.map((id) => limit(() => oneByOne(id, prepared.until, origin))));
      return new Map(ids.map((id, i) => [id, settled[i]!]));
    },
  };
};
