import { createHash } from 'node:crypto';
import {
  amountDueOf,
  creditableLines,
  creditedSoFar,
  invoiceDecider,
  invoiceStreamName,
  issuedNotes,
  priceCreditNote,
  type ExistingInvoice,
  type InvoiceState,
  type ItemLine,
} from '../../domain/invoice/index.js';
import { foldStream, handleCommand } from '../../eventstore/index.js';
import { contextOf, type Origin } from '../shared/index.js';
import type { CreditedCharge, OwedInvoice } from './owedInvoices.js';
import type { BillingDeps } from './types.js';

/** The automatic credit note a proration credit gives the invoice that billed the time: one per invoice and credit, whatever the retries. */
export const automaticCreditNoteId = (invoiceId: string, creditKey: string): string =>
  `cn_${createHash('sha256').update(`${invoiceId}|${creditKey}`).digest('hex').slice(0, 32)}`;

const UNPAID = new Set(['DRAFT', 'OPEN', 'UNCOLLECTIBLE']);

/** A credit's share that can come back at all: nothing of a voided invoice; of a line, what no credit note has given back already. */
const creditable = (state: ExistingInvoice, credit: CreditedCharge, own: number): number => {
  if (state.status === 'VOID') return 0;
  const lineLeft = (creditableLines(state).find((o) => o.line.itemKey === credit.itemKey)?.left ?? 0) + own;
  return Math.max(0, Math.min(credit.amount, lineLeft));
};

/** Whether billing this credit touches its source invoice or withholds part of it: one by one decides that. */
export const transfersCredit = (state: InvoiceState | undefined, credit: CreditedCharge): boolean =>
  state !== undefined && state.status !== 'NONE' && (creditable(state, credit, 0) < credit.amount || (UNPAID.has(state.status) && amountDueOf(state) > 0));

/**
 * Credit follows what was paid. A change or a cancellation gives back the
 * unused time of charges; of each such credit:
 * - nothing comes back of a charge on an invoice since voided, nor beyond what
 *   credit notes have left of its line: that part is withheld, by a
 *   `credit_withheld` line;
 * - where the invoice is still unpaid, the credit first reduces what it is
 *   owed, by an automatic pre-payment credit note, and the change's invoice
 *   gives that part back by a `credit_to_invoice` line;
 * - only the rest, time that was paid for, is credited on the change's
 *   invoice, and can reach the customer's balance.
 *
 * Each credit note's id comes from the two invoices and the credit, so a
 * rerun after a crash finds the note it issued and uses its amount.
 */
export const transferCredits = async (deps: BillingDeps, owed: OwedInvoice, origin: Origin, now: Date): Promise<ItemLine[]> => {
  const lines: ItemLine[] = [];
  for (const credit of owed.credits) {
    const creditNoteId = automaticCreditNoteId(credit.invoiceId, credit.creditKey);
    const stream = invoiceStreamName(credit.invoiceId);
    const { state } = await foldStream(deps.store, stream, invoiceDecider);
    if (state.status === 'NONE') continue;
    const issued = issuedNotes(state).find((n) => n.creditNoteId === creditNoteId);
    const own = issued?.lines.find((l) => l.itemKey === credit.itemKey)?.amount ?? 0;
    const available = creditable(state, credit, own);
    let noted = own;
    if (!issued && UNPAID.has(state.status)) {
      const room = Math.min(amountDueOf(state), state.total - creditedSoFar(state));
      noted = Math.max(0, Math.min(available, room));
      // The note adds the exclusive tax of what it credits: what it gives back in all stays within what is due.
      const over = (amount: number) => (amount > 0 ? priceCreditNote(state, [{ itemKey: credit.itemKey, amount }]).amount - room : 0);
      for (let excess = over(noted); excess > 0; excess = over(noted)) noted = Math.max(0, noted - excess);
      if (noted > 0) {
        await handleCommand(
          deps.store,
          stream,
          invoiceDecider,
          {
            type: 'IssueCreditNote',
            data: {
              creditNoteId,
              reason: 'order_change',
              memo: `Unused time from ${credit.period.start}, not yet paid`,
              lines: [{ itemKey: credit.itemKey, amount: noted }],
              automatic: true,
              now: now.toISOString(),
            },
          },
          { ...contextOf(origin, now), commandId: `auto-credit:${creditNoteId}` },
        );
      }
    }
    const line = (type: 'credit_to_invoice' | 'credit_withheld', amount: number, description: string): ItemLine => ({
      type,
      itemKey: `${type}:${credit.creditKey}`,
      description,
      quantity: 1,
      unitAmount: amount,
      amount,
      currency: state.currency,
      period: credit.period,
      // Taxed as the credit is, so that the tax it carries goes with it.
      ...(credit.taxRateId !== undefined && { taxRateId: credit.taxRateId }),
    });
    const name = state.number ?? credit.invoiceId;
    if (noted > 0) lines.push(line('credit_to_invoice', noted, `Unused time given back on invoice ${name}, by its credit note`));
    const withheld = credit.amount - available;
    if (withheld > 0) lines.push(line('credit_withheld', withheld, `Unused time on invoice ${name} that was voided or credited already: nothing to give back`));
  }
  return lines;
};
