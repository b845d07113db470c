/**
 * Collections: a process manager that turns what happens to invoices into
 * charges, notices and the subscription's standing.
 *
 * - InvoiceFinalized: a charge (attempt 1) and the invoice notice, when
 *   something is due; the credit an invoice summing below zero gives the
 *   customer (the billing engine's grant, when it finalised it).
 * - PaymentSucceeded with an overpayment: the excess back to the card (a
 *   refund), or to the credit balance with OVERPAYMENT=credit. InvoiceVoided:
 *   the credit applied to it, back to the balance, and its credit notes' documents voided.
 * - PaymentFailed: the subscription is past due on this invoice; the first
 *   failure's notice. (Retries, reminders and the end of grace fall due on
 *   the clock: the triggers in ./triggers.ts send them.)
 * - PaymentSucceeded: the receipt. InvoicePaid, InvoiceVoided, or an operator's
 *   InvoiceMarkedUncollectible: the invoice no longer holds the subscription
 *   past due (it recovers once none does).
 * - InvoiceMarkedUncollectible because grace ended: the subscription is
 *   canceled, with nothing credited back.
 * - SubscriptionCreated: its notice.
 * - InvoiceCreditNoted, InvoiceCreditNoteVoided: the credit note's document
 *   (numbered) and the credit it gives, as issuing does them; its refunds,
 *   one per charge, as refund jobs.
 * - RefundFailed: what the gateway would not give back, to the balance.
 *
 * It runs on the projection runtime under its own checkpoint, like the
 * contract cascades. A crash before the checkpoint commits replays the batch:
 * every command has a commandId derived from its triggering event, and every
 * job a key derived from what it is for, so a replay writes and enqueues
 * nothing twice.
 */
import { SYSTEM_ACTORS } from '../../domain/shared/index.js';
import type { Kysely } from 'kysely';
import type { Logger } from 'winston';
import type { Database } from '../../db/index.js';
import { amountDueOf, invoiceDecider, invoiceStreamName, type InvoiceEvent, type InvoiceMarkedUncollectible } from '../../domain/invoice/index.js';
import { customerDecider, customerStreamName, type CustomerCommand } from '../../domain/customer/index.js';
import { creditGrantOf } from '../invoice/index.js';
import type { CreditNotes } from '../creditNote/index.js';
import type { Refunds } from '../refund/index.js';
import type { RefundFailed } from '../../domain/refund/index.js';
import { ConflictError, NotFoundError } from '../../domain/shared/index.js';
import { subscriptionDecider, subscriptionStreamName, type SubscriptionCommand } from '../../domain/subscription/index.js';
import { foldStream, handleCommand, type EventStore, type RecordedEvent } from '../../eventstore/index.js';
import { causedBy, runProcessManager, type ProcessManager, type Projection } from '../../projections/runtime/index.js';
import type { Charges } from './charge.js';
import type { Notices } from './notices.js';

export const COLLECTIONS_PROCESS = 'process:collections';
const COLLECTIONS = { actor: SYSTEM_ACTORS.collections, source: 'process:collections' } as const;

/** A subscription that cannot take the command (paused, ended, trialing) is left as it is: its invoice's dunning goes on. */
const NOT_APPLICABLE = new Set(['subscription.invalid_transition', 'subscription.cancellation_effective', 'subscription.not_found']);

const EVENT_TYPES = [
  'InvoiceFinalized',
  'PaymentFailed',
  'PaymentSucceeded',
  'InvoicePaid',
  'InvoiceVoided',
  'InvoiceMarkedUncollectible',
  'SubscriptionCreated',
  'InvoiceCreditNoted',
  'InvoiceCreditNoteVoided',
  'RefundFailed',
] as const;

export type CollectionsProcessDeps = Readonly<{
  store: EventStore;
  logger: Logger;
  charges: Charges;
  notices: Notices;
  creditNotes: Pick<CreditNotes, 'complete' | 'completeVoid'>;
  refunds: Pick<Refunds, 'request'>;
  /** What an overpayment becomes: refunded to the card (the default), or credit on the customer's balance. */
  overpayment: 'refund' | 'credit';
}>;

export const collectionsProjection = ({ store, logger, charges, notices, creditNotes, refunds, overpayment }: CollectionsProcessDeps): Projection => {
  const toSubscription = async (subscriptionId: string, command: SubscriptionCommand, trigger: RecordedEvent, step: string): Promise<void> => {
    try {
      await handleCommand(
        store,
        subscriptionStreamName(subscriptionId),
        subscriptionDecider,
        command,
        causedBy(trigger, `collections:${trigger.eventId}:${step}`, COLLECTIONS, command.data.now),
      );
    } catch (err) {
      if (!((err instanceof ConflictError || err instanceof NotFoundError) && NOT_APPLICABLE.has(err.reason))) throw err;
      logger.info('collections: subscription left as it is', { subscriptionId, command: command.type, reason: err.reason });
    }
  };

  /** Collections, in the correlation of what it acts on. */
  const originOf = (trigger: RecordedEvent) => ({ ...COLLECTIONS, correlationId: trigger.metadata.correlationId, causationId: trigger.eventId });

  /** Under a commandId of its own (derived from what it is for, never from the trigger), so billing's grant of the same credit is this one. */
  const toCustomer = async (customerId: string, command: CustomerCommand, trigger: RecordedEvent, commandId: string): Promise<void> => {
    await handleCommand(store, customerStreamName(customerId), customerDecider, command, causedBy(trigger, commandId, COLLECTIONS, command.data.now));
  };

  const invoiceOf = async (invoiceId: string) => (await foldStream(store, invoiceStreamName(invoiceId), invoiceDecider)).state;

  /** The invoice no longer holds its subscription past due. */
  const settle = async (invoiceId: string, now: string, trigger: RecordedEvent): Promise<void> => {
    const invoice = await invoiceOf(invoiceId);
    if (invoice.status === 'NONE') return;
    await toSubscription(invoice.subscriptionId, { type: 'MarkRecovered', data: { invoiceId, now } }, trigger, 'settled');
  };

  const apply = async (recorded: RecordedEvent): Promise<void> => {
    if (recorded.type === 'SubscriptionCreated') {
      await notices.request({ name: 'subscription_created', subscriptionId: (recorded.data as { subscriptionId: string }).subscriptionId });
      return;
    }
    const event = { type: recorded.type, data: recorded.data } as InvoiceEvent | RefundFailed;
    switch (event.type) {
      case 'InvoiceFinalized': {
        const { invoiceId, finalizedAt } = event.data;
        const invoice = await invoiceOf(invoiceId);
        if (invoice.status === 'NONE') return;
        const grant = creditGrantOf(invoice, new Date(finalizedAt));
        if (grant) await toCustomer(invoice.customerId, grant.command, recorded, grant.commandId);
        if (amountDueOf(invoice) > 0) {
          // Two jobs, neither waiting on the other: asked for at once (each once per key, so a retried event asks again harmlessly).
          await Promise.all([notices.request({ name: 'invoice_finalized', invoiceId }), charges.request({ invoiceId, attempt: 1 })]);
          return;
        }
        // Finalised before the decider marked an invoice with nothing due paid as it finalised it.
        if (invoice.status !== 'OPEN') return;
        await handleCommand(
          store,
          invoiceStreamName(invoiceId),
          invoiceDecider,
          { type: 'MarkInvoicePaid', data: { now: finalizedAt } },
          causedBy(recorded, `collections:${recorded.eventId}:nothing-to-collect`, COLLECTIONS, finalizedAt),
        );
        return;
      }
      case 'PaymentFailed': {
        const { invoiceId, failedAt } = event.data;
        const invoice = await invoiceOf(invoiceId);
        if (invoice.status === 'NONE') return;
        await toSubscription(invoice.subscriptionId, { type: 'MarkPastDue', data: { invoiceId, now: failedAt } }, recorded, 'past-due');
        // Once per invoice: the first failure's; later ones are retries the customer was told of.
        await notices.request({ name: 'payment_failed_immediate', invoiceId });
        return;
      }
      case 'PaymentSucceeded': {
        const { invoiceId, attempt, overpaid, currency, succeededAt } = event.data;
        if ((overpaid ?? 0) > 0) {
          // The charge landed on an invoice that no longer owed it all: the excess is the customer's, back to the card or on the balance.
          const invoice = await invoiceOf(invoiceId);
          if (invoice.status === 'NONE') return;
          if (overpayment === 'refund') {
            const { chargeId } = event.data;
            const cause = { kind: 'overpayment', attempt } as const;
            await refunds.request({ invoiceId, customerId: invoice.customerId, chargeId, amount: overpaid!, currency, cause }, originOf(recorded));
          } else {
            const grant: CustomerCommand = { type: 'GrantCredit', data: { amount: overpaid!, currency, reason: 'overpayment', invoiceId, now: succeededAt } };
            await toCustomer(invoice.customerId, grant, recorded, `overpayment:${invoiceId}:${attempt}`);
          }
        }
        if ((event.data.applied ?? event.data.amount) > 0) await notices.request({ name: 'payment_succeeded', invoiceId });
        return;
      }
      case 'InvoicePaid':
        await settle(event.data.invoiceId, event.data.paidAt, recorded);
        return;
      case 'InvoiceVoided': {
        const { invoiceId, voidedAt } = event.data;
        const invoice = await invoiceOf(invoiceId);
        // What the customer's balance paid of it goes back there.
        if (invoice.status !== 'NONE' && invoice.creditApplied > 0) {
          const back: CustomerCommand = {
            type: 'GrantCredit',
            data: { amount: invoice.creditApplied, currency: invoice.currency, reason: 'invoice_voided', invoiceId, now: voidedAt },
          };
          await toCustomer(invoice.customerId, back, recorded, `void-credit:${invoiceId}`);
        }
        // Its credit notes went with it: their documents say so.
        if (invoice.status !== 'NONE') {
          for (const note of invoice.creditNotes ?? []) if (note.voidedAt === voidedAt) await creditNotes.completeVoid(note.creditNoteId, voidedAt, originOf(recorded));
        }
        await settle(invoiceId, voidedAt, recorded);
        return;
      }
      case 'InvoiceMarkedUncollectible':
        await uncollectible(event, recorded);
        return;
      // The document, its number and the credit it gives: what issuing began, finished (again, harmlessly, when it did).
      case 'InvoiceCreditNoted': {
        const { invoiceId, customerId, currency, creditNoteId } = event.data;
        await creditNotes.complete(event.data, originOf(recorded));
        for (const { chargeId, amount } of event.data.refunds ?? []) {
          await refunds.request({ invoiceId, customerId, chargeId, amount, currency, cause: { kind: 'credit_note', creditNoteId } }, originOf(recorded));
        }
        return;
      }
      case 'InvoiceCreditNoteVoided':
        await creditNotes.completeVoid(event.data.creditNoteId, event.data.voidedAt, originOf(recorded));
        return;
      case 'RefundFailed': {
        // The gateway would not give it back: it is still the customer's, as credit.
        const { refundId, invoiceId, customerId, amount, currency, failedAt } = event.data;
        const grant: CustomerCommand = { type: 'GrantCredit', data: { amount, currency, reason: 'refund_failed', invoiceId, now: failedAt } };
        await toCustomer(customerId, grant, recorded, `refund-failed:${refundId}`);
        return;
      }
      default:
        return;
    }
  };

  const uncollectible = async (event: InvoiceMarkedUncollectible, recorded: RecordedEvent): Promise<void> => {
    const { invoiceId, reason, markedAt } = event.data;
    // Written off by an operator: the subscription no longer owes it.
    if (reason !== 'grace_ended') return settle(invoiceId, markedAt, recorded);
    const invoice = await invoiceOf(invoiceId);
    if (invoice.status === 'NONE') return;
    await toSubscription(
      invoice.subscriptionId,
      { type: 'CancelSubscription', data: { atPeriodEnd: false, prorate: false, reason: 'payment_failed', now: markedAt } },
      recorded,
      'cancel',
    );
  };

  return {
    name: COLLECTIONS_PROCESS,
    filter: { eventTypes: [...EVENT_TYPES] },
    apply: async (_trx, events) => {
      // In log order: a subscription goes past due before the payment that recovers it.
      for (const event of events) await apply(event);
    },
    // Nothing of its own to forget: its commands and jobs are keyed, so a replay from the start repeats none.
    reset: async () => undefined,
  };
};

export type CollectionsProcess = ProcessManager;

export const createCollectionsProcess = (
  options: CollectionsProcessDeps & Readonly<{ db: Kysely<Database>; batchSize?: number; retryDelayMs?: number }>,
): CollectionsProcess => runProcessManager(collectionsProjection(options), { ...options, batchSize: options.batchSize ?? 100 });
