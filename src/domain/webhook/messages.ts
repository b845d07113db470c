/**
 * The messages webhooks carry, derived from the domain's events: one event
 * may say several things (a first failed payment is `payment.failed` and
 * `dunning.started`), and most say nothing an integrator subscribes to.
 */
export const WEBHOOK_EVENT_TYPES = [
  'subscription.created',
  'subscription.updated',
  'subscription.paused',
  'subscription.resumed',
  'subscription.canceled',
  'invoice.created',
  'invoice.finalized',
  'invoice.paid',
  'invoice.voided',
  'invoice.marked_uncollectible',
  'payment.succeeded',
  'payment.failed',
  'dunning.started',
  'dunning.retry_scheduled',
  'dunning.resolved',
  'dunning.exhausted',
  'customer.created',
  'customer.updated',
  'credit_note.created',
  'credit_note.voided',
  'refund.succeeded',
  'refund.failed',
] as const;
export type WebhookEventType = (typeof WEBHOOK_EVENT_TYPES)[number];

/** What a message says: its type, and the object it is about (the event's own data, which carries no secrets). */
export type WebhookMessage = Readonly<{ type: WebhookEventType; object: string; data: Readonly<Record<string, unknown>> }>;

const SUBSCRIPTION_UPDATES = new Set([
  'SubscriptionPlanChanged',
  'SubscriptionQuantityChanged',
  'SubscriptionCancellationScheduled',
  'SubscriptionCancellationWithdrawn',
  'SubscriptionTrialEnded',
  'SubscriptionPastDue',
  'SubscriptionRecovered',
  'SubscriptionDiscountApplied',
  'SubscriptionDiscountRemoved',
]);
const CUSTOMER_UPDATES = new Set(['CustomerUpdated', 'PaymentMethodAttached', 'CustomerTaxRateSet', 'CustomerDiscountApplied', 'CustomerDiscountRemoved']);

const SIMPLE: Readonly<Record<string, readonly [WebhookEventType, string]>> = {
  SubscriptionCreated: ['subscription.created', 'subscription'],
  SubscriptionPaused: ['subscription.paused', 'subscription'],
  SubscriptionResumed: ['subscription.resumed', 'subscription'],
  SubscriptionCanceled: ['subscription.canceled', 'subscription'],
  SubscriptionExpired: ['subscription.canceled', 'subscription'],
  InvoiceCreated: ['invoice.created', 'invoice'],
  InvoiceFinalized: ['invoice.finalized', 'invoice'],
  InvoicePaid: ['invoice.paid', 'invoice'],
  InvoiceVoided: ['invoice.voided', 'invoice'],
  CustomerRegistered: ['customer.created', 'customer'],
  InvoiceCreditNoted: ['credit_note.created', 'credit_note'],
  InvoiceCreditNoteVoided: ['credit_note.voided', 'credit_note'],
  RefundSucceeded: ['refund.succeeded', 'refund'],
  RefundFailed: ['refund.failed', 'refund'],
};

/** The messages a domain event becomes, in the order they are sent. */
export const webhookMessageOf = (type: string, data: Readonly<Record<string, unknown>>): WebhookMessage[] => {
  const simple = SIMPLE[type];
  if (simple) return [{ type: simple[0], object: simple[1], data }];
  if (SUBSCRIPTION_UPDATES.has(type)) return [{ type: 'subscription.updated', object: 'subscription', data: { change: type, ...data } }];
  if (CUSTOMER_UPDATES.has(type)) return [{ type: 'customer.updated', object: 'customer', data: { change: type, ...data } }];
  switch (type) {
    case 'InvoiceMarkedUncollectible':
      return [
        { type: 'invoice.marked_uncollectible', object: 'invoice', data },
        ...(data.reason === 'grace_ended' ? [{ type: 'dunning.exhausted', object: 'invoice', data } as const] : []),
      ];
    case 'PaymentSucceeded':
      // A success after a failure ends the dunning the failure began.
      return [{ type: 'payment.succeeded', object: 'payment', data }, ...(Number(data.attempt) > 1 ? [{ type: 'dunning.resolved', object: 'invoice', data } as const] : [])];
    case 'PaymentFailed':
      return [
        { type: 'payment.failed', object: 'payment', data },
        ...(Number(data.attempt) === 1 ? [{ type: 'dunning.started', object: 'invoice', data } as const] : []),
        ...(data.nextRetryAt ? [{ type: 'dunning.retry_scheduled', object: 'invoice', data } as const] : []),
      ];
    default:
      return [];
  }
};

/** Every domain event type that becomes a message: what the outbox reads of the log. */
export const WEBHOOK_SOURCE_EVENTS: readonly string[] = [
  ...Object.keys(SIMPLE),
  ...SUBSCRIPTION_UPDATES,
  ...CUSTOMER_UPDATES,
  'InvoiceMarkedUncollectible',
  'PaymentSucceeded',
  'PaymentFailed',
];
