import { contextOf, type Origin } from '../shared/index.js';
import { customerDecider, customerStreamName, type CustomerState } from '../../domain/customer/index.js';
import { invoiceDecider, invoiceStreamName, priceLines, type InvoiceState } from '../../domain/invoice/index.js';
import { fold, foldStream, handleCommand, readOrEmpty, type RecordedEvent } from '../../eventstore/index.js';
import { subscriptionStreamName } from '../../domain/subscription/index.js';
import { creditGrantOf, invoiceNumberFor } from '../invoice/index.js';
import { billManyWith } from './billMany.js';
import type { BilledInvoice, BillingDeps, BillingOutcome } from './types.js';
import { creditAppliedLine, owedInvoices, type OwedBySubscription, type OwedInvoice } from './owedInvoices.js';
import { transferCredits } from './creditTransfers.js';
import { priceOwed, taxLookup, type TaxLookup } from './pricing.js';

export type { BillingDeps, BilledInvoice, BillingOutcome } from './types.js';

/**
 * Bills one subscription up to an instant: computes from its stream what
 * should have been billed (src/domain/billing) and invoices what is not yet.
 * An invoice's id comes from what caused it and what falls due never changes
 * later, so "already billed" is "its invoice exists": a rerun, a crash, a
 * catch-up or a second instance writes nothing twice. Each step that touches
 * another stream (the customer's credit, the invoice's number) has a commandId
 * derived from the invoice, so a retried step is answered from the store.
 *
 * For one invoice: the customer's credit in its currency is applied first, as a
 * `credit_applied` line; the invoice is created; then, unless the customer
 * reviews drafts (`draftInvoices`, read with its credit when the invoice is
 * created), it is numbered and finalised, and a `credit_to_balance` line (the
 * lines summed below zero) is granted to the customer as credit, reason `proration`.
 * A draft under review is never finalised here, however often it is rerun.
 */
export const createBilling = (deps: BillingDeps) => {
  /**
   * The customer's credit in `currency` applied to an invoice, up to `due`:
   * once per invoice, whatever the retries (a crash after the application and
   * before the invoice finds the application and its amount on the customer's stream).
   */
  const applyCredit = async (
    customer: Readonly<{ recorded: readonly RecordedEvent[]; state: CustomerState }>,
    invoiceId: string,
    currency: string,
    due: number,
    origin: Origin,
    now: Date,
  ): Promise<number> => {
    const { recorded, state } = customer;
    const prior = recorded.find((r) => r.type === 'CustomerCreditApplied' && (r.data as { invoiceId?: string }).invoiceId === invoiceId);
    if (prior) return (prior.data as { amount: number }).amount;
    if (state.status !== 'registered') return 0;
    const stream = customerStreamName(state.customerId);
    const apply = Math.min(state.credit[currency] ?? 0, due);
    if (apply <= 0) return 0;
    const result = await handleCommand(
      deps.store,
      stream,
      customerDecider,
      { type: 'ApplyCredit', data: { amount: apply, currency, invoiceId, now: now.toISOString() } },
      { ...contextOf(origin, now), commandId: `credit:${invoiceId}` },
      { recorded },
    );
    const event = result.newEvents.find((e) => e.type === 'CustomerCreditApplied');
    return event?.type === 'CustomerCreditApplied' ? event.data.amount : apply;
  };

  const invoice = async (
    subscriptionId: string,
    subscription: OwedBySubscription,
    owed: OwedInvoice,
    taxes: TaxLookup,
    origin: Origin,
  ): Promise<BilledInvoice | undefined> => {
    const { invoiceId, currency } = owed;
    const { customerId } = subscription;
    const stream = invoiceStreamName(invoiceId);
    const invoiceEvents = await readOrEmpty(deps.store, stream);
    const existing = fold(invoiceDecider, invoiceEvents);
    // A DRAFT goes on: an automatic one to be finalised, one the customer reviews only to a grant a crash cut off.
    if (existing.state.status !== 'NONE' && existing.state.status !== 'DRAFT') return undefined;
    const now = deps.clock.now();
    const at = (commandId: string) => ({ ...contextOf(origin, now), commandId });
    let state: InvoiceState = existing.state;

    if (state.status === 'NONE') {
      // One read of the customer's stream per invoice: its credit, its coupon and rate, and whether it reviews drafts.
      const recorded = await readOrEmpty(deps.store, customerStreamName(customerId));
      const customer = { recorded, state: fold(customerDecider, recorded).state };
      const sourceOf = async (id: string) => (await foldStream(deps.store, invoiceStreamName(id), invoiceDecider)).state;
      const priced = await priceOwed(owed, subscription, customer, sourceOf, taxes);
      const lines = [...priced.lines, ...(await transferCredits(deps, priced.owed, origin, now))];
      const { discounts, taxRates } = priced;
      const due = priceLines(lines, currency, discounts, taxRates).total;
      const draft = customer.state.status === 'registered' && customer.state.draftInvoices;
      const applied = await applyCredit(customer, invoiceId, currency, due, origin, now);
      if (applied > 0) lines.push(creditAppliedLine(owed, applied));
      const created = await handleCommand(
        deps.store,
        stream,
        invoiceDecider,
        {
          type: 'CreateInvoice',
          data: { invoiceId, customerId, subscriptionId, currency, lines, discounts, taxRates, cause: owed.cause, draft, now: now.toISOString() },
        },
        at(`create:${invoiceId}`),
        { recorded: invoiceEvents },
      );
      state = created.newState;
    }
    if (state.status === 'NONE') return undefined;
    if (state.status !== 'DRAFT' || !state.autoFinalize) {
      // A draft left for review is reported once, when it is created.
      return existing.state.status === 'NONE' ? { invoiceId, total: state.total, currency: state.currency } : undefined;
    }
    const number = await invoiceNumberFor(deps.db, invoiceId, now.getUTCFullYear(), now);
    const finalized = await handleCommand(
      deps.store,
      stream,
      invoiceDecider,
      { type: 'FinalizeInvoice', data: { number, now: now.toISOString() } },
      at(`finalize:${invoiceId}`),
    );
    // Collections grants it too, on InvoiceFinalized, under the same commandId: here, so that a billing run leaves the balance as it says.
    const grant = creditGrantOf(finalized.newState, now);
    if (grant) await handleCommand(deps.store, customerStreamName(customerId), customerDecider, grant.command, at(grant.commandId));
    return { invoiceId, total: state.total, currency: state.currency, number };
  };

  const billing = {
    /**
     * Invoices every item of the subscription due by `until` that is not on an
     * invoice yet. Answers the invoices it wrote or completed, when the next
     * item falls due, and the stream revision it read.
     */
    billSubscription: async (subscriptionId: string, until: Date, origin: Origin): Promise<BillingOutcome> => {
      const recorded = await readOrEmpty(deps.store, subscriptionStreamName(subscriptionId));
      const owed = owedInvoices(subscriptionId, recorded, until);
      if (!owed) return { invoices: [], nextDueAt: undefined, revision: undefined };
      const invoices: BilledInvoice[] = [];
      const taxes = taxLookup(deps.store);
      for (const due of owed.invoices) {
        const done = await invoice(subscriptionId, owed, due, taxes, origin);
        if (done) invoices.push(done);
      }
      return { invoices, nextDueAt: owed.nextDueAt, revision: owed.revision };
    },
  };

  return {
    ...billing,
    /** Many subscriptions at once: in batches on PostgreSQL (src/application/billing/billBatch.ts), one by one elsewhere. */
    many: billManyWith(deps, billing.billSubscription),
  };
};

export type Billing = ReturnType<typeof createBilling>;
