import { sql, type Insertable, type Transaction, type UpdateObject } from 'kysely';
import type { Database } from '../../db/index.js';
import { currentFacts, type InvoiceCreated, type InvoiceEvent, type InvoiceLine } from '../../domain/invoice/index.js';
import type { RecordedEvent } from '../../eventstore/index.js';
import { domainEvent, inChunks } from '../runtime/index.js';
import type { Projection } from '../runtime/index.js';
import type { InvoiceLinesTable } from './table.js';

export const INVOICES_PROJECTION = 'invoices';

const STREAM_PREFIX = 'invoice-';
/** From the stream name, which every event has, whatever its type. */
const idOf = (recorded: RecordedEvent): string => recorded.streamName.slice(STREAM_PREFIX.length);

/** Compared as instants, not as text: the lines' instants need not share one spelling. */
const earliest = (instants: readonly string[]) => instants.reduce((a, b) => (Date.parse(b) < Date.parse(a) ? b : a));
const latest = (instants: readonly string[]) => instants.reduce((a, b) => (Date.parse(b) > Date.parse(a) ? b : a));

/**
 * The period analysts filter on: a period invoice's is the period that came
 * due (its cause); a change bills stretches of time from the change on, so
 * its invoice starts at its earliest line.
 */
const periodOf = (data: InvoiceCreated['data']) => ({
  period_start: data.cause.kind === 'period' ? data.cause.periodStart : earliest(data.lines.map((l) => l.period.start)),
  period_end: latest(data.lines.map((l) => l.period.end)),
});

type Change = UpdateObject<Database, 'read.invoices'>;

/** No retry, no grace: paid or voided, or dunning stopped. */
const NO_DUNNING = { next_retry_at: null, grace_ends_at: null } as const;

/**
 * The columns an event changes; `revision` is set beside them. A retry is
 * kept only while the invoice is OPEN, since the scheduler retries nothing
 * else (a failed payment of an invoice already written off schedules no
 * retry that will run); grace stays on an invoice written off, as when it ended.
 */
const changeOf = (event: InvoiceEvent): Change => {
  switch (event.type) {
    case 'InvoiceFinalized':
      return { status: 'OPEN', number: event.data.number, finalized_at: event.data.finalizedAt, updated_at: event.data.finalizedAt };
    case 'InvoiceVoided':
      return { status: 'VOID', voided_at: event.data.voidedAt, amount_due: 0, ...NO_DUNNING, updated_at: event.data.voidedAt };
    case 'InvoiceMarkedUncollectible': {
      const { reason, markedAt } = event.data;
      return { status: 'UNCOLLECTIBLE', marked_uncollectible_at: markedAt, uncollectible_reason: reason ?? null, next_retry_at: null, updated_at: markedAt };
    }
    case 'InvoicePaid':
      return { status: 'PAID', paid_at: event.data.paidAt, amount_due: 0, ...NO_DUNNING, updated_at: event.data.paidAt };
    // The retry it was waiting for is being made: none is due until this attempt's result says when.
    case 'PaymentAttempted':
      return { attempts: event.data.attempt, next_retry_at: null, updated_at: event.data.attemptedAt };
    case 'PaymentSucceeded': {
      const applied = event.data.applied ?? event.data.amount;
      return {
        amount_paid: sql<string>`amount_paid + ${applied}`,
        amount_due: sql<string>`greatest(amount_due - ${applied}, 0)`,
        ...NO_DUNNING,
        updated_at: event.data.succeededAt,
      };
    }
    case 'PaymentFailed': {
      const { code, failedAt, nextRetryAt, graceEndsAt } = event.data;
      return {
        next_retry_at: nextRetryAt === null ? null : sql<Date>`case when status = 'OPEN' then ${nextRetryAt}::timestamptz end`,
        grace_ends_at: graceEndsAt,
        last_failure_code: code,
        updated_at: failedAt,
      };
    }
    // Credit notes before payment move what is due (a note that settles it is followed by InvoicePaid).
    case 'InvoiceCreditNoted':
      return { amount_due: sql<string>`greatest(amount_due - ${event.data.prePayment}, 0)`, updated_at: event.data.issuedAt };
    case 'InvoiceCreditNoteVoided':
      return { amount_due: sql<string>`case when status in ('OPEN', 'UNCOLLECTIBLE', 'DRAFT') then amount_due + ${event.data.prePayment} else amount_due end`, updated_at: event.data.voidedAt };
    case 'DunningStopped':
      return { ...NO_DUNNING, dunning_stopped_at: event.data.stoppedAt, updated_at: event.data.stoppedAt };
    case 'GraceExtended':
      return { grace_ends_at: event.data.graceEndsAt, updated_at: event.data.extendedAt };
    default:
      // Creation inserts; an event type this code does not know still moves the revision (the ETag).
      return {};
  }
};

const lineRow = (invoiceId: string, line: InvoiceLine, index: number): Insertable<InvoiceLinesTable> => ({
  invoice_id: invoiceId,
  line_no: index + 1,
  type: line.type,
  item_key: line.itemKey,
  description: line.description,
  quantity: line.quantity,
  unit_amount: line.unitAmount,
  amount: line.amount,
  currency: line.currency,
  period_start: line.period.start,
  period_end: line.period.end,
  tax_rate_id: line.taxRateId ?? null,
  discount: line.discount ?? null,
  tax: line.tax ?? null,
  inclusive: line.inclusive ?? null,
  coupon_id: line.couponId ?? null,
});

const insertCreated = async (trx: Transaction<Database>, events: readonly RecordedEvent[]): Promise<void> => {
  const created = events.map((recorded) => ({ recorded, data: currentFacts(domainEvent<InvoiceCreated>(recorded).data) }));
  for (const chunk of inChunks(created)) {
    await trx
      .insertInto('read.invoices')
      .values(
        chunk.map(({ recorded, data }) => ({
          invoice_id: data.invoiceId,
          number: null,
          customer_id: data.customerId,
          subscription_id: data.subscriptionId,
          status: 'DRAFT',
          currency: data.currency,
          subtotal: data.subtotal,
          discount: data.discount ?? 0,
          tax: data.tax,
          total: data.total,
          credit_applied: data.creditApplied,
          amount_paid: 0,
          amount_due: data.total - data.creditApplied,
          cause_kind: data.cause.kind,
          cause_event_id: data.cause.kind === 'change' ? data.cause.eventId : null,
          ...periodOf(data),
          created_at: data.createdAt,
          finalized_at: null,
          voided_at: null,
          paid_at: null,
          marked_uncollectible_at: null,
          attempts: 0,
          next_retry_at: null,
          grace_ends_at: null,
          dunning_stopped_at: null,
          last_failure_code: null,
          uncollectible_reason: null,
          revision: recorded.revision,
          updated_at: data.createdAt,
        })),
      )
      .onConflict((oc) => oc.column('invoice_id').doNothing())
      .execute();
  }
  // The lines never change after creation: inserted once, a replay finds them there.
  const lines = created.flatMap(({ data }) => data.lines.map((line, index) => lineRow(data.invoiceId, line, index)));
  for (const chunk of inChunks(lines)) {
    await trx
      .insertInto('read.invoice_lines')
      .values(chunk)
      .onConflict((oc) => oc.columns(['invoice_id', 'line_no']).doNothing())
      .execute();
  }
};

/**
 * Creations are inserted first, all at once (each is its stream's first
 * event), lines included; every other event is an UPDATE of the columns it
 * changes, guarded by the revision so that replaying any prefix changes nothing.
 */
export const invoicesProjection: Projection = {
  name: INVOICES_PROJECTION,
  filter: { streamPrefixes: [STREAM_PREFIX] },
  apply: async (trx, events) => {
    await insertCreated(trx, events.filter((e) => e.type === 'InvoiceCreated'));
    for (const recorded of events) {
      if (recorded.type === 'InvoiceCreated') continue;
      await trx
        .updateTable('read.invoices')
        .set({ ...changeOf(domainEvent<InvoiceEvent>(recorded)), revision: recorded.revision })
        .where('invoice_id', '=', idOf(recorded))
        .where('revision', '<', recorded.revision.toString())
        .execute();
    }
  },
  reset: async (trx) => {
    await trx.deleteFrom('read.invoice_lines').execute();
    await trx.deleteFrom('read.invoices').execute();
  },
};
