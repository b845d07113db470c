import { sql, type Transaction, type UpdateObject } from 'kysely';
import type { Database } from '../../db/index.js';
import type { PlanPrice, SubscriptionCreated, SubscriptionEvent } from '../../domain/subscription/index.js';
import type { RecordedEvent } from '../../eventstore/index.js';
import { domainEvent, inChunks } from '../runtime/index.js';
import type { Projection } from '../runtime/index.js';

export const SUBSCRIPTIONS_PROJECTION = 'subscriptions';

const STREAM_PREFIX = 'subscription-';
/** From the stream name, which every event has, whatever its type. */
const idOf = (recorded: RecordedEvent): string => recorded.streamName.slice(STREAM_PREFIX.length);

type Change = UpdateObject<Database, 'read.subscriptions'>;
type Period = Readonly<{ billingAnchor: string; currentPeriodStart: string; currentPeriodEnd: string }>;

const period = (p: Period): Change => ({
  billing_anchor: p.billingAnchor,
  current_period_start: p.currentPeriodStart,
  current_period_end: p.currentPeriodEnd,
});

const price = (plan: PlanPrice): Change => ({
  plan_id: plan.planId,
  pricing_model: plan.pricingModel,
  amount: plan.amount,
  currency: plan.currency,
  interval: plan.interval,
  interval_count: plan.intervalCount,
});

/** A change of status clears the columns of the status left, as the domain's evolve does. */
const newStatus = (status: string, at: string, own: Change = {}): Change => ({
  status,
  paused_at: null,
  paused_by: null,
  canceled_at: null,
  expired_at: null,
  past_due_since: null,
  past_due_invoice_ids: [],
  ...own,
  updated_at: at,
});

/** The columns an event changes; `revision` is set beside them. */
const changeOf = (event: SubscriptionEvent): Change => {
  switch (event.type) {
    case 'SubscriptionTrialEnded':
      return { ...newStatus('ACTIVE', event.data.endedAt), ...period(event.data) };
    case 'SubscriptionPaused':
      return newStatus('PAUSED', event.data.pausedAt, { paused_at: event.data.pausedAt, paused_by: event.data.by });
    case 'SubscriptionResumed':
      return { ...newStatus('ACTIVE', event.data.resumedAt), ...period(event.data) };
    case 'SubscriptionPlanChanged':
      return { ...price(event.data.plan), quantity: event.data.quantity, ...period(event.data), updated_at: event.data.changedAt };
    case 'SubscriptionQuantityChanged':
      return { quantity: event.data.quantity, updated_at: event.data.changedAt };
    case 'SubscriptionCancellationScheduled':
      return { cancel_at_period_end: true, cancel_at: event.data.cancelAt, updated_at: event.data.scheduledAt };
    case 'SubscriptionCancellationWithdrawn':
      return { cancel_at_period_end: false, cancel_at: null, updated_at: event.data.withdrawnAt };
    case 'SubscriptionCanceled':
      return newStatus('CANCELED', event.data.requestedAt, { canceled_at: event.data.canceledAt });
    case 'SubscriptionExpired':
      return newStatus('EXPIRED', event.data.expiredAt, { expired_at: event.data.expiredAt });
    case 'SubscriptionPastDue': {
      // Past due since the first unpaid invoice; a further one joins the list. Leaving any other status cleared both.
      const { invoiceId, pastDueAt } = event.data;
      return newStatus('PAST_DUE', pastDueAt, {
        past_due_since: sql<Date>`coalesce(past_due_since, ${pastDueAt}::timestamptz)`,
        past_due_invoice_ids: sql<string[]>`array_append(past_due_invoice_ids, ${invoiceId}::text)`,
      });
    }
    case 'SubscriptionInvoiceSettled': {
      // The domain ignores it unless PAST_DUE, its time included.
      const { invoiceId, settledAt } = event.data;
      return {
        past_due_invoice_ids: sql<string[]>`array_remove(past_due_invoice_ids, ${invoiceId}::text)`,
        updated_at: sql<Date>`case when status = 'PAST_DUE' then ${settledAt}::timestamptz else updated_at end`,
      };
    }
    case 'SubscriptionRecovered':
      return newStatus('ACTIVE', event.data.recoveredAt);
    case 'SubscriptionDiscountApplied': {
      const { subscriptionId: _id, appliedAt, ...discount } = event.data;
      return { discount: JSON.stringify(discount), updated_at: appliedAt };
    }
    case 'SubscriptionDiscountRemoved':
      return { discount: null, updated_at: event.data.removedAt };
    default:
      // Creation inserts; an event type this code does not know still moves the revision (the ETag).
      return {};
  }
};

const insertCreated = async (trx: Transaction<Database>, events: readonly RecordedEvent[]): Promise<void> => {
  for (const chunk of inChunks(events)) {
    await trx
      .insertInto('read.subscriptions')
      .values(
        chunk.map((recorded) => {
          const { data } = domainEvent<SubscriptionCreated>(recorded);
          return {
            subscription_id: data.subscriptionId,
            customer_id: data.customerId,
            contract_id: data.contractId,
            plan_id: data.plan.planId,
            status: data.status,
            quantity: data.quantity,
            pricing_model: data.plan.pricingModel,
            amount: data.plan.amount,
            currency: data.plan.currency,
            interval: data.plan.interval,
            interval_count: data.plan.intervalCount,
            billing_anchor: data.billingAnchor,
            current_period_start: data.currentPeriodStart,
            current_period_end: data.currentPeriodEnd,
            cancel_at_period_end: false,
            cancel_at: null,
            trial_end: data.trialEnd ?? null,
            paused_at: null,
            paused_by: null,
            canceled_at: null,
            expired_at: null,
            past_due_since: null,
            past_due_invoice_ids: [],
            discount: null,
            revision: recorded.revision,
            created_at: data.createdAt,
            updated_at: data.createdAt,
          };
        }),
      )
      .onConflict((oc) => oc.column('subscription_id').doNothing())
      .execute();
  }
};

/**
 * Creations are inserted first, all at once (each is its stream's first
 * event); every other event is an UPDATE of the columns it changes, guarded by
 * the revision so that replaying any prefix changes nothing.
 */
export const subscriptionsProjection: Projection = {
  name: SUBSCRIPTIONS_PROJECTION,
  filter: { streamPrefixes: [STREAM_PREFIX] },
  apply: async (trx, events) => {
    await insertCreated(trx, events.filter((e) => e.type === 'SubscriptionCreated'));
    for (const recorded of events) {
      if (recorded.type === 'SubscriptionCreated') continue;
      await trx
        .updateTable('read.subscriptions')
        .set({ ...changeOf(domainEvent<SubscriptionEvent>(recorded)), revision: recorded.revision })
        .where('subscription_id', '=', idOf(recorded))
        .where('revision', '<', recorded.revision.toString())
        .execute();
    }
  },
  reset: async (trx) => {
    await trx.deleteFrom('read.subscriptions').execute();
  },
};
