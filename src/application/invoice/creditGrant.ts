import type { CustomerCommand } from '../../domain/customer/index.js';
import type { InvoiceFacts, InvoiceState } from '../../domain/invoice/index.js';

type Grant = Readonly<{ command: CustomerCommand; commandId: string }>;

/**
 * An invoice whose lines sum below zero gives its `credit_to_balance` line to
 * the customer's balance once it is finalised (a draft under review gives
 * nothing yet): the billing engine right after finalising, and collections on
 * InvoiceFinalized, whoever finalised it. One commandId, derived from the
 * invoice, makes the two one grant, and a rerun or a crash after it is
 * answered from the customer's stream.
 */
export const creditGrantOf = (invoice: InvoiceState, now: Date): Grant | undefined =>
  invoice.status === 'NONE' || invoice.status === 'DRAFT' ? undefined : creditGrantFor(invoice, now);

/** The grant of an invoice being finalised, whatever its status says yet (the batch finalises in the transaction that creates it). */
export const creditGrantFor = (invoice: InvoiceFacts, now: Date): Grant | undefined => {
  const toBalance = invoice.lines.find((l) => l.type === 'credit_to_balance');
  if (!toBalance) return undefined;
  return {
    command: {
      type: 'GrantCredit',
      data: { amount: toBalance.amount, currency: invoice.currency, reason: 'proration', invoiceId: invoice.invoiceId, now: now.toISOString() },
    },
    commandId: creditGrantCommandId(invoice.invoiceId),
  };
};

export const creditGrantCommandId = (invoiceId: string): string => `proration:${invoiceId}`;
