import type { CustomerCommand } from '../../domain/customer/index.js';
import type { InvoiceState } from '../../domain/invoice/index.js';

/**
 * The one step both ways of billing take after creating an invoice whose
 * lines sum below zero: its `credit_to_balance` line goes to the customer's
 * balance as credit, under a commandId derived from the invoice, so a rerun
 * or a crash after it is answered from the customer's stream.
 */
export const creditGrantOf = (invoice: InvoiceState, now: Date): Readonly<{ command: CustomerCommand; commandId: string }> | undefined => {
  if (invoice.status === 'NONE') return undefined;
  const toBalance = invoice.lines.find((l) => l.type === 'credit_to_balance');
  if (!toBalance) return undefined;
  return {
    command: { type: 'GrantCredit', data: { amount: toBalance.amount, currency: invoice.currency, reason: 'proration', now: now.toISOString() } },
    commandId: creditGrantCommandId(invoice.invoiceId),
  };
};

export const creditGrantCommandId = (invoiceId: string): string => `proration:${invoiceId}`;
