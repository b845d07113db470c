import type { Selectable } from 'kysely';
import type { Db } from '../../db/index.js';
import type { InvoiceCause, InvoiceLine, InvoiceLineType, InvoiceStatus } from '../../domain/invoice/index.js';
import type { InvoiceLinesTable, InvoicesTable } from './table.js';

/** Shaped like the domain's state, lines included, plus the period analysts filter on. */
export type InvoiceView = Readonly<{
  invoiceId: string;
  number?: string;
  customerId: string;
  subscriptionId: string;
  status: InvoiceStatus;
  currency: string;
  lines: readonly InvoiceLine[];
  subtotal: number;
  discount: number;
  tax: number;
  total: number;
  creditApplied: number;
  amountPaid: number;
  amountDue: number;
  cause: InvoiceCause;
  periodStart: string;
  periodEnd: string;
  createdAt: string;
  finalizedAt?: string;
  voidedAt?: string;
  paidAt?: string;
  markedUncollectibleAt?: string;
  /** The state of its dunning; null until a payment has failed. Each attempt is in read.payments. */
  dunning: InvoiceDunning | null;
  revision: bigint;
  updatedAt: string;
}>;

export type InvoiceDunning = Readonly<{
  attempts: number;
  nextRetryAt?: string;
  graceEndsAt?: string;
  stoppedAt?: string;
  lastFailureCode: string;
}>;

const dunningOf = (row: Selectable<InvoicesTable>): InvoiceDunning | null =>
  row.last_failure_code === null
    ? null
    : {
        attempts: row.attempts,
        nextRetryAt: row.next_retry_at?.toISOString(),
        graceEndsAt: row.grace_ends_at?.toISOString(),
        stoppedAt: row.dunning_stopped_at?.toISOString(),
        lastFailureCode: row.last_failure_code,
      };

const toLine = (row: Selectable<InvoiceLinesTable>): InvoiceLine => ({
  type: row.type as InvoiceLineType,
  itemKey: row.item_key,
  description: row.description,
  quantity: Number(row.quantity),
  unitAmount: Number(row.unit_amount),
  amount: Number(row.amount),
  currency: row.currency,
  period: { start: row.period_start.toISOString(), end: row.period_end.toISOString() },
  ...(row.tax_rate_id !== null && { taxRateId: row.tax_rate_id }),
  ...(row.discount !== null && { discount: Number(row.discount) }),
  ...(row.tax !== null && { tax: Number(row.tax) }),
  ...(row.inclusive !== null && { inclusive: row.inclusive }),
  ...(row.coupon_id !== null && { couponId: row.coupon_id }),
});

const toView = (row: Selectable<InvoicesTable>, lines: readonly InvoiceLine[]): InvoiceView => ({
  invoiceId: row.invoice_id,
  number: row.number ?? undefined,
  customerId: row.customer_id,
  subscriptionId: row.subscription_id,
  status: row.status as InvoiceStatus,
  currency: row.currency,
  lines,
  subtotal: Number(row.subtotal),
  discount: Number(row.discount),
  tax: Number(row.tax),
  total: Number(row.total),
  creditApplied: Number(row.credit_applied),
  amountPaid: Number(row.amount_paid),
  amountDue: Number(row.amount_due),
  cause:
    row.cause_kind === 'change'
      ? { kind: 'change', eventId: row.cause_event_id ?? '' }
      : { kind: 'period', periodStart: row.period_start.toISOString() },
  periodStart: row.period_start.toISOString(),
  periodEnd: row.period_end.toISOString(),
  createdAt: row.created_at.toISOString(),
  finalizedAt: row.finalized_at?.toISOString(),
  voidedAt: row.voided_at?.toISOString(),
  paidAt: row.paid_at?.toISOString(),
  markedUncollectibleAt: row.marked_uncollectible_at?.toISOString(),
  dunning: dunningOf(row),
  revision: BigInt(row.revision),
  updatedAt: row.updated_at.toISOString(),
});

/** The lines of these invoices, each invoice's in its order: one query for a whole page. */
const linesOf = async (db: Db, invoiceIds: readonly string[]): Promise<Map<string, InvoiceLine[]>> => {
  const byInvoice = new Map<string, InvoiceLine[]>(invoiceIds.map((id) => [id, []]));
  if (invoiceIds.length === 0) return byInvoice;
  const rows = await db
    .selectFrom('read.invoice_lines')
    .selectAll()
    .where('invoice_id', 'in', invoiceIds)
    .orderBy('invoice_id')
    .orderBy('line_no')
    .execute();
  for (const row of rows) byInvoice.get(row.invoice_id)?.push(toLine(row));
  return byInvoice;
};

export const getInvoice = async (db: Db, invoiceId: string): Promise<InvoiceView | undefined> => {
  const row = await db.selectFrom('read.invoices').selectAll().where('invoice_id', '=', invoiceId).executeTakeFirst();
  return row && toView(row, (await linesOf(db, [invoiceId])).get(invoiceId)!);
};

/** Where a page ends: the keyset is (period_start, invoice_id). */
export type InvoiceKey = Readonly<{ periodStart: string; invoiceId: string }>;

export type InvoiceFilter = Readonly<{
  customerId?: string;
  subscriptionId?: string;
  status?: InvoiceStatus;
  /** On period_start: from, inclusive. */
  periodFrom?: string;
  /** On period_start: before, exclusive, as periods are half-open. */
  periodTo?: string;
  /** Invoices of the customers this user owns now (owners change, so never copied onto invoices). */
  ownerUserId?: string;
  after?: InvoiceKey;
  limit: number;
}>;

/**
 * Keyset pagination in the order of the time invoices bill, (period_start,
 * invoice_id): ids are hashes, and one billing run catching up several
 * periods creates their invoices at one instant, so neither the id nor the
 * creation time would list them in order. Returns one row more than asked
 * when there are more.
 */
export const listInvoices = async (db: Db, filter: InvoiceFilter): Promise<InvoiceView[]> => {
  let query = db.selectFrom('read.invoices').selectAll().orderBy('period_start').orderBy('invoice_id').limit(filter.limit + 1);
  if (filter.customerId) query = query.where('customer_id', '=', filter.customerId);
  if (filter.subscriptionId) query = query.where('subscription_id', '=', filter.subscriptionId);
  if (filter.status) query = query.where('status', '=', filter.status);
  if (filter.periodFrom) query = query.where('period_start', '>=', new Date(filter.periodFrom));
  if (filter.periodTo) query = query.where('period_start', '<', new Date(filter.periodTo));
  if (filter.ownerUserId) {
    const owner = filter.ownerUserId;
    query = query.where('customer_id', 'in', (eb) =>
      eb.selectFrom('read.customers').select('read.customers.customer_id').where('owner_user_id', '=', owner),
    );
  }
  if (filter.after) {
    const { periodStart, invoiceId } = filter.after;
    query = query.where((eb) => eb(eb.refTuple('period_start', 'invoice_id'), '>', eb.tuple(new Date(periodStart), invoiceId)));
  }
  const rows = await query.execute();
  const lines = await linesOf(db, rows.map((r) => r.invoice_id));
  return rows.map((row) => toView(row, lines.get(row.invoice_id)!));
};
