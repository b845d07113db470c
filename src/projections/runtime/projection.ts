import type { Transaction } from 'kysely';
import type { AllFilter, RecordedEvent } from '../../eventstore/index.js';
import type { Database } from '../../db/index.js';

/**
 * A read model fed by the event store. `apply` runs inside the transaction that
 * also moves the checkpoint, so a batch is applied exactly once or not at all.
 */
export type Projection = Readonly<{
  name: string;
  /** Passed to the store's subscription; skipped events still move the checkpoint. */
  filter?: AllFilter;
  apply: (trx: Transaction<Database>, events: readonly RecordedEvent[]) => Promise<void>;
  /**
   * Runs once a batch's write has committed, with its events: for what must
   * not start before the rows exist (a job that reads them). A failure is
   * logged, never retried: what it starts must be found again some other way.
   */
  afterCommit?: (events: readonly RecordedEvent[]) => Promise<void>;
  /** Empties the read model before a rebuild from position 0. */
  reset: (trx: Transaction<Database>) => Promise<void>;
}>;
