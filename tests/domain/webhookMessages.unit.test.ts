import { describe, expect, it } from 'vitest';
import { WEBHOOK_EVENT_TYPES, WEBHOOK_SOURCE_EVENTS, webhookMessageOf } from '../../src/domain/webhook/index.js';

describe('webhook messages', () => {
  it('says what a first failed payment, a later one, a success after failures and an end of grace mean for dunning', () => {
    const types = (type: string, data: Record<string, unknown>) => webhookMessageOf(type, data).map((m) => m.type);
    expect(types('PaymentFailed', { attempt: 1, nextRetryAt: '2030-01-02T00:00:00.000Z' })).toEqual(['payment.failed', 'dunning.started', 'dunning.retry_scheduled']);
    expect(types('PaymentFailed', { attempt: 4, nextRetryAt: null })).toEqual(['payment.failed']);
    expect(types('PaymentSucceeded', { attempt: 1 })).toEqual(['payment.succeeded']);
    expect(types('PaymentSucceeded', { attempt: 3 })).toEqual(['payment.succeeded', 'dunning.resolved']);
    expect(types('InvoiceMarkedUncollectible', { reason: 'grace_ended' })).toEqual(['invoice.marked_uncollectible', 'dunning.exhausted']);
    expect(types('InvoiceMarkedUncollectible', {})).toEqual(['invoice.marked_uncollectible']);
    expect(types('SubscriptionPlanChanged', {})).toEqual(['subscription.updated']);
    expect(types('UserRegistered', {})).toEqual([]);
  });

  it('reads every event type that becomes a message, and every message type comes from one', () => {
    const made = new Set(WEBHOOK_SOURCE_EVENTS.flatMap((t) => webhookMessageOf(t, { attempt: 1, nextRetryAt: 'x', reason: 'grace_ended' }).map((m) => m.type)));
    for (const source of WEBHOOK_SOURCE_EVENTS) expect(webhookMessageOf(source, { attempt: 2 }).length, source).toBeGreaterThan(0);
    expect([...made].sort()).toEqual([...WEBHOOK_EVENT_TYPES].filter((t) => t !== 'dunning.resolved').sort());
  });
});
