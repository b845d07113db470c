import type { Insertable, Transaction } from 'kysely';
import type { Database } from '../../db/index.js';
import type { CustomerEvent } from '../../domain/customer/index.js';
import { invoiceDecider, type InvoiceEvent, type InvoiceState } from '../../domain/invoice/index.js';
import { customerEntries, invoiceEntries, refundEntries, type LedgerEntry } from '../../domain/ledger/index.js';
import type { RefundEvent } from '../../domain/refund/index.js';
import type { RecordedEvent } from '../../eventstore/index.js';
import { domainEvent, inChunks, type Projection } from '../runtime/index.js';
import type { LedgerEntriesTable } from './table.js';

export const LEDGER_PROJECTION = 'ledger';

const INVOICE = 'invoice-';
const CUSTOMER = 'customer-';
const REFUND = 'refund-';

type Folded = { state: InvoiceState; revision: bigint; changed: boolean };

/** The folds of the invoices a batch touches, read in one query per chunk. */
const foldsOf = async (trx: Transaction<Database>, invoiceIds: readonly string[]): Promise<Map<string, Folded>> => {
  const folds = new Map<string, Folded>();
  for (const chunk of inChunks([...new Set(invoiceIds)])) {
    const rows = await trx.selectFrom('read.ledger_invoices').selectAll().where('invoice_id', 'in', chunk).execute();
    for (const row of rows) folds.set(row.invoice_id, { state: row.state as InvoiceState, revision: BigInt(row.revision), changed: false });
  }
  return folds;
};

/** A grant recorded before grants named their invoice: billing's proration grant says which in its commandId. */
const LEGACY_PRORATION = /^proration:(inv_[0-9a-f]+)$/;
const legacyInvoiceOf = (recorded: RecordedEvent): string | undefined => LEGACY_PRORATION.exec(recorded.metadata.commandId ?? '')?.[1];

const rowsOf = (recorded: RecordedEvent, entries: readonly LedgerEntry[]): Insertable<LedgerEntriesTable>[] =>
  entries.map((e, seq) => ({
    event_id: recorded.eventId,
    seq,
    position_commit: recorded.position.commit.toString(),
    position_prepare: recorded.position.prepare.toString(),
    stream_name: recorded.streamName,
    event_type: recorded.type,
    kind: e.kind,
    debit_account: e.debit,
    credit_account: e.credit,
    amount: e.amount,
    currency: e.currency,
    customer_id: e.customerId,
    invoice_id: e.invoiceId,
    reference: e.reference ?? null,
    occurred_at: recorded.metadata.occurredAt,
  }));

/**
 * The ledger: every event of an invoice, a customer or a refund stream, through the
 * posting rules of src/domain/ledger, into read.ledger_entries. An invoice's
 * events are posted against its state before each, which this projection
 * folds itself (read.ledger_invoices): an event at or below the fold's
 * revision was posted already, and a replay of its entries inserts nothing.
 */
export const ledgerProjection: Projection = {
  name: LEDGER_PROJECTION,
  filter: { streamPrefixes: [INVOICE, CUSTOMER, REFUND] },
  apply: async (trx, events) => {
    const invoiceIdOf = (r: RecordedEvent) => r.streamName.slice(INVOICE.length);
    const folds = await foldsOf(trx, events.filter((r) => r.streamName.startsWith(INVOICE)).map(invoiceIdOf));
    const rows: Insertable<LedgerEntriesTable>[] = [];
    for (const recorded of events) {
      if (recorded.streamName.startsWith(CUSTOMER)) {
        rows.push(...rowsOf(recorded, customerEntries(domainEvent<CustomerEvent>(recorded), legacyInvoiceOf(recorded))));
        continue;
      }
      if (recorded.streamName.startsWith(REFUND)) {
        rows.push(...rowsOf(recorded, refundEntries(domainEvent<RefundEvent>(recorded))));
        continue;
      }
      const id = invoiceIdOf(recorded);
      const fold = folds.get(id) ?? { state: invoiceDecider.initialState(), revision: -1n, changed: false };
      if (recorded.revision <= fold.revision) continue;
      const event = domainEvent<InvoiceEvent>(recorded);
      rows.push(...rowsOf(recorded, invoiceEntries(event, fold.state)));
      folds.set(id, { state: invoiceDecider.evolve(fold.state, event), revision: recorded.revision, changed: true });
    }
    for (const chunk of inChunks(rows)) {
      await trx.insertInto('read.ledger_entries').values(chunk).onConflict((oc) => oc.columns(['event_id', 'seq']).doNothing()).execute();
    }
    const changed = [...folds].filter(([, f]) => f.changed);
    for (const chunk of inChunks(changed)) {
      await trx
        .insertInto('read.ledger_invoices')
        .values(chunk.map(([invoice_id, f]) => ({ invoice_id, state: JSON.stringify(f.state), revision: f.revision.toString() })))
        .onConflict((oc) => oc.column('invoice_id').doUpdateSet((eb) => ({ state: eb.ref('excluded.state'), revision: eb.ref('excluded.revision') })))
        .execute();
    }
  },
  // The entries are append-only: a rebuild re-derives the same ones and inserts none twice; only the folds start again.
  reset: async (trx) => {
    await trx.deleteFrom('read.ledger_invoices').execute();
  },
};
