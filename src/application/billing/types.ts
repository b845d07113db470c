import type { Kysely } from 'kysely';
import type { Clock } from '../../clock/index.js';
import type { Database } from '../../db/index.js';
import type { EventStore } from '../../eventstore/index.js';

export type BillingDeps = Readonly<{ store: EventStore; db: Kysely<Database>; clock: Clock }>;

export type BilledInvoice = Readonly<{ invoiceId: string; total: number; currency: string; number?: string }>;

export type BillingOutcome = Readonly<{
  invoices: readonly BilledInvoice[];
  /** When the next item falls due; none once nothing more can be billed. */
  nextDueAt: string | undefined;
  /** The subscription stream's revision the outcome rests on. */
  revision: bigint | undefined;
}>;
