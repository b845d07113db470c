import type { Selectable } from 'kysely';
import type { Db } from '../../db/index.js';
import type { PaymentStatus, PaymentsTable } from './table.js';

export type PaymentView = Readonly<{
  invoiceId: string;
  attempt: number;
  customerId: string;
  subscriptionId: string;
  amount: number;
  currency: string;
  paymentMethod: string | null;
  idempotencyKey: string;
  status: PaymentStatus;
  failureCode: string | null;
  hard: boolean | null;
  chargeId: string | null;
  attemptedAt: string;
  settledAt: string | null;
  revision: bigint;
}>;

const toView = (row: Selectable<PaymentsTable>): PaymentView => ({
  invoiceId: row.invoice_id,
  attempt: row.attempt,
  customerId: row.customer_id,
  subscriptionId: row.subscription_id,
  amount: Number(row.amount),
  currency: row.currency,
  paymentMethod: row.payment_method,
  idempotencyKey: row.idempotency_key,
  status: row.status as PaymentStatus,
  failureCode: row.failure_code,
  hard: row.hard,
  chargeId: row.charge_id,
  attemptedAt: row.attempted_at.toISOString(),
  settledAt: row.settled_at?.toISOString() ?? null,
  revision: BigInt(row.revision),
});

/** Where a page ends: the keyset is (attempted_at, invoice_id, attempt). */
export type PaymentKey = Readonly<{ attemptedAt: string; invoiceId: string; attempt: number }>;

export type PaymentFilter = Readonly<{
  invoiceId?: string;
  customerId?: string;
  status?: PaymentStatus;
  after?: PaymentKey;
  limit: number;
}>;

/**
 * Oldest attempt first, in keyset pages on (attempted_at, invoice_id,
 * attempt): invoice ids are hashes, so only the time orders attempts as they
 * were made. Returns one row more than asked when there are more.
 */
export const listPayments = async (db: Db, filter: PaymentFilter): Promise<PaymentView[]> => {
  let query = db
    .selectFrom('read.payments')
    .selectAll()
    .orderBy('attempted_at')
    .orderBy('invoice_id')
    .orderBy('attempt')
    .limit(filter.limit + 1);
  if (filter.invoiceId) query = query.where('invoice_id', '=', filter.invoiceId);
  if (filter.customerId) query = query.where('customer_id', '=', filter.customerId);
  if (filter.status) query = query.where('status', '=', filter.status);
  if (filter.after) {
    const { attemptedAt, invoiceId, attempt } = filter.after;
    query = query.where((eb) => eb(eb.refTuple('attempted_at', 'invoice_id', 'attempt'), '>', eb.tuple(new Date(attemptedAt), invoiceId, attempt)));
  }
  return (await query.execute()).map(toView);
};
