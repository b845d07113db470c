/**
 * Collections: a process manager that turns what happens to invoices into
 * charges, notices and the subscription's standing.
 *
 * - InvoiceFinalized: a charge (attempt 1) and the invoice notice; an invoice
 *   that totals 0 after credit is marked paid without a charge.
 * - PaymentFailed: the subscription is past due on this invoice; the first
 *   failure's notice. (Retries, reminders and the end of grace fall due on
 *   the clock: the triggers in ./triggers.ts send them.)
 * - PaymentSucceeded: the receipt. InvoicePaid, InvoiceVoided, or an operator's
 *   InvoiceMarkedUncollectible: the invoice no longer holds the subscription
 *   past due (it recovers once none does).
 * - InvoiceMarkedUncollectible because grace ended: the subscription is
 *   canceled, with nothing credited back.
 * - SubscriptionCreated: its notice.
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
import { invoiceDecider, invoiceStreamName, type InvoiceEvent, type InvoiceMarkedUncollectible } from '../../domain/invoice/index.js';
import { ConflictError } from '../../domain/shared/index.js';
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
] as const;

export type CollectionsProcessDeps = Readonly<{ store: EventStore; logger: Logger; charges: Charges; notices: Notices }>;

export const collectionsProjection = ({ store, logger, charges, notices }: CollectionsProcessDeps): Projection => {
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
      if (!(err instanceof ConflictError && NOT_APPLICABLE.has(err.reason))) throw err;
      logger.info('collections: subscription left as it is', { subscriptionId, command: command.type, reason: err.reason });
    }
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
    const event = { type: recorded.type, data: recorded.data } as InvoiceEvent;
    switch (event.type) {
      case 'InvoiceFinalized': {
        const { invoiceId, finalizedAt } = event.data;
        const invoice = await invoiceOf(invoiceId);
        if (invoice.status === 'NONE') return;
        if (invoice.total > 0) {
          await notices.request({ name: 'invoice_finalized', invoiceId });
          await charges.request({ invoiceId, attempt: 1 });
          return;
        }
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
      case 'PaymentSucceeded':
        await notices.request({ name: 'payment_succeeded', invoiceId: event.data.invoiceId });
        return;
      case 'InvoicePaid':
        await settle(event.data.invoiceId, event.data.paidAt, recorded);
        return;
      case 'InvoiceVoided':
        await settle(event.data.invoiceId, event.data.voidedAt, recorded);
        return;
      case 'InvoiceMarkedUncollectible':
        await uncollectible(event, recorded);
        return;
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
