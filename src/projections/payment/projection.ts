import type { Insertable, Transaction } from 'kysely';
import type { Database } from '../../db/index.js';
import type { InvoiceCreated, InvoiceEvent, PaymentAttempted } from '../../domain/invoice/index.js';
import type { RecordedEvent } from '../../eventstore/index.js';
import { domainEvent, inChunks } from '../runtime/index.js';
import type { Projection } from '../runtime/index.js';
import type { PaymentsTable } from './table.js';

export const PAYMENTS_PROJECTION = 'payments';

const STREAM_PREFIX = 'invoice-';
const idOf = (recorded: RecordedEvent): string => recorded.streamName.slice(STREAM_PREFIX.length);

type Whom = Readonly<{ customer_id: string; subscription_id: string }>;

/** Every invoice's customer and subscription, as this projection recorded them from InvoiceCreated. */
const recordWhom = async (trx: Transaction<Database>, created: readonly RecordedEvent[]): Promise<void> => {
  for (const chunk of inChunks(created)) {
    await trx
      .insertInto('read.payment_invoices')
      .values(
        chunk.map((recorded) => {
          const { invoiceId, customerId, subscriptionId } = domainEvent<InvoiceCreated>(recorded).data;
          return { invoice_id: invoiceId, customer_id: customerId, subscription_id: subscriptionId };
        }),
      )
      .onConflict((oc) => oc.column('invoice_id').doNothing())
      .execute();
  }
};

/** An attempt's invoice was created before it, on the same stream: in this batch or an earlier one, recorded above. */
const whomOf = async (trx: Transaction<Database>, invoiceIds: readonly string[]): Promise<Map<string, Whom>> => {
  const whom = new Map<string, Whom>();
  for (const chunk of inChunks([...new Set(invoiceIds)])) {
    const rows = await trx.selectFrom('read.payment_invoices').selectAll().where('invoice_id', 'in', chunk).execute();
    for (const { invoice_id, ...row } of rows) whom.set(invoice_id, row);
  }
  return whom;
};

const attemptRow = (recorded: RecordedEvent, whom: Map<string, Whom>): Insertable<PaymentsTable> => {
  const { invoiceId, attempt, paymentMethod, amount, currency, idempotencyKey, attemptedAt } = domainEvent<PaymentAttempted>(recorded).data;
  const invoice = whom.get(invoiceId);
  // Loud rather than a payment silently missing: the stream did not begin with its creation.
  if (!invoice) throw new Error(`payments: ${recorded.streamName} has a payment attempt but no InvoiceCreated before it`);
  return {
    invoice_id: invoiceId,
    attempt,
    ...invoice,
    amount,
    currency,
    payment_method: paymentMethod,
    idempotency_key: idempotencyKey,
    status: 'PENDING',
    failure_code: null,
    hard: null,
    charge_id: null,
    attempted_at: attemptedAt,
    settled_at: null,
    revision: recorded.revision,
  };
};

/**
 * Creations record whom each invoice bills; attempts are inserted (each
 * attempt once: a replay finds its row), then each result is an UPDATE of its
 * attempt's row guarded by the invoice stream's revision, so that replaying
 * any prefix changes nothing. Other invoice events leave payments alone.
 */
export const paymentsProjection: Projection = {
  name: PAYMENTS_PROJECTION,
  filter: { streamPrefixes: [STREAM_PREFIX] },
  apply: async (trx, events) => {
    await recordWhom(trx, events.filter((e) => e.type === 'InvoiceCreated'));
    const attempts = events.filter((e) => e.type === 'PaymentAttempted');
    if (attempts.length > 0) {
      const whom = await whomOf(trx, attempts.map(idOf));
      for (const chunk of inChunks(attempts)) {
        await trx
          .insertInto('read.payments')
          .values(chunk.map((recorded) => attemptRow(recorded, whom)))
          .onConflict((oc) => oc.columns(['invoice_id', 'attempt']).doNothing())
          .execute();
      }
    }
    for (const recorded of events) {
      const event = domainEvent<InvoiceEvent>(recorded);
      if (event.type !== 'PaymentSucceeded' && event.type !== 'PaymentFailed') continue;
      const settled =
        event.type === 'PaymentSucceeded'
          ? { status: 'SUCCEEDED', charge_id: event.data.chargeId, settled_at: event.data.succeededAt }
          : { status: 'FAILED', failure_code: event.data.code, hard: event.data.hard, charge_id: event.data.chargeId, settled_at: event.data.failedAt };
      await trx
        .updateTable('read.payments')
        .set({ ...settled, revision: recorded.revision })
        .where('invoice_id', '=', idOf(recorded))
        .where('attempt', '=', event.data.attempt)
        .where('revision', '<', recorded.revision.toString())
        .execute();
    }
  },
  reset: async (trx) => {
    await trx.deleteFrom('read.payments').execute();
    await trx.deleteFrom('read.payment_invoices').execute();
  },
};
