import { createHash } from 'node:crypto';
import { amountDueOf, creditableLines, invoiceDecider, invoiceStreamName, issuedNotes, type ItemLine } from '../../domain/invoice/index.js';
import { foldStream, handleCommand } from '../../eventstore/index.js';
import { contextOf, type Origin } from '../shared/index.js';
import type { OwedInvoice } from './owedInvoices.js';
import type { BillingDeps } from './types.js';

/** The automatic credit note a proration credit gives the invoice that billed the time: one per invoice and credit, whatever the retries. */
export const automaticCreditNoteId = (invoiceId: string, creditKey: string): string =>
  `cn_${createHash('sha256').update(`${invoiceId}|${creditKey}`).digest('hex').slice(0, 32)}`;

const UNPAID = new Set(['DRAFT', 'OPEN', 'UNCOLLECTIBLE']);

/**
 * Credit follows what was paid. A change or a cancellation gives back the
 * unused time of charges; where the invoice that billed a charge is still
 * unpaid, the credit first reduces what that invoice is owed, by an automatic
 * pre-payment credit note, and the change's invoice gives that part back by a
 * `credit_to_invoice` line. Only the rest (time that was paid for) is credited
 * on the change's invoice, and can reach the customer's balance.
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
    let amount = (state.creditNotes ?? []).find((n) => n.creditNoteId === creditNoteId)?.amount;
    if (amount === undefined) {
      const lineLeft = creditableLines(state).find((o) => o.line.itemKey === credit.itemKey)?.left ?? 0;
      const invoiceLeft = state.total - issuedNotes(state).reduce((sum, n) => sum + n.amount, 0);
      amount = UNPAID.has(state.status) ? Math.max(0, Math.min(credit.amount, amountDueOf(state), lineLeft, invoiceLeft)) : 0;
      if (amount > 0) {
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
              lines: [{ itemKey: credit.itemKey, amount }],
              automatic: true,
              now: now.toISOString(),
            },
          },
          { ...contextOf(origin, now), commandId: `auto-credit:${creditNoteId}` },
        );
      }
    }
    if (amount > 0) {
      lines.push({
        type: 'credit_to_invoice',
        itemKey: `credit_to_invoice:${credit.creditKey}`,
        description: `Unused time given back on invoice ${state.number ?? credit.invoiceId}, by its credit note`,
        quantity: 1,
        unitAmount: amount,
        amount,
        currency: state.currency,
        period: credit.period,
      });
    }
  }
  return lines;
};
