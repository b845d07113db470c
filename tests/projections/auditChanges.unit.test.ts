import { describe, expect, it } from 'vitest';
import type { SubscriptionCommand } from '../../src/domain/subscription/index.js';
import type { RecordedEvent } from '../../src/eventstore/index.js';
import { changesOf } from '../../src/projections/audit/index.js';
import { stream } from '../domain/billingFixtures.js';

const AT = '2026-04-01T00:00:00.000Z';
const step = (at: string, command: (now: string) => SubscriptionCommand) => ({ at, command });
const pastDue = (invoiceId: string, at: string) => step(at, (now) => ({ type: 'MarkPastDue', data: { invoiceId, now } }));
const recovered = (invoiceId: string, at: string) => step(at, (now) => ({ type: 'MarkRecovered', data: { invoiceId, now } }));

/** What the audit projection summarises: an event's type and data, nothing of the stream before it. */
const summaries = (...steps: ReturnType<typeof step>[]) =>
  stream({ at: AT }, ...steps)
    .slice(1)
    .map(({ event }) => [event.type, changesOf({ type: event.type, data: event.data } as unknown as RecordedEvent)]);

describe('the audit summary of a subscription’s unpaid invoices', () => {
  it('names the invoice that joins or leaves the list; PAST_DUE after each, a status before only where one status allows the event', () => {
    const sub = { subscriptionId: { after: 'sub_1' } };
    expect(
      summaries(pastDue('inv_1', '2026-04-10T00:00:00.000Z'), pastDue('inv_2', '2026-04-11T00:00:00.000Z'), recovered('inv_1', '2026-04-12T00:00:00.000Z'), recovered('inv_2', '2026-04-13T00:00:00.000Z')),
    ).toEqual([
      // The first moves ACTIVE to PAST_DUE, the second finds it PAST_DUE: the event alone does not say which it is.
      ['SubscriptionPastDue', { ...sub, status: { after: 'PAST_DUE' }, 'pastDueInvoiceIds.inv_1': { before: false, after: true }, invoiceId: { after: 'inv_1' }, pastDueAt: { after: '2026-04-10T00:00:00.000Z' } }],
      ['SubscriptionPastDue', { ...sub, status: { after: 'PAST_DUE' }, 'pastDueInvoiceIds.inv_2': { before: false, after: true }, invoiceId: { after: 'inv_2' }, pastDueAt: { after: '2026-04-11T00:00:00.000Z' } }],
      ['SubscriptionInvoiceSettled', { ...sub, 'pastDueInvoiceIds.inv_1': { before: true, after: false }, invoiceId: { after: 'inv_1' }, settledAt: { after: '2026-04-12T00:00:00.000Z' } }],
      [
        'SubscriptionRecovered',
        { ...sub, status: { before: 'PAST_DUE', after: 'ACTIVE' }, 'pastDueInvoiceIds.inv_2': { before: true, after: false }, invoiceId: { after: 'inv_2' }, recoveredAt: { after: '2026-04-13T00:00:00.000Z' } },
      ],
    ]);
  });
});
