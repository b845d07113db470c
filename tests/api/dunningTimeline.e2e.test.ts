import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { listNoticesSent } from '../../src/application/collection/index.js';
import { createCollectionCommands } from '../../src/application/collection/operator.js';
import { onSimulatedClock } from './simulatedClock.js';

/**
 * Dunning day by day on the test clock, over HTTP, with the default policy
 * (retries 1, 3, 5 and 7 days after the first failure, then 30 days of
 * grace) and notices written to the outbox. Everyone subscribes on Jan 1 at
 * 09:00, to 30.00 USD a month; each day the clock moves one day and the test
 * reads the subscription, the invoice and the outbox.
 */
const dataDir = mkdtempSync(path.join(tmpdir(), 'billstream-dunning-'));
const clock = onSimulatedClock('2030-01-01T09:00:00.000Z', 'dunning-manager@example.com', { DATA_DIR: dataDir });
const { post, get } = clock;

const day = (d: number) => new Date(Date.UTC(2030, 0, 1 + d, 9)).toISOString();

/** The notices in the outbox, by recipient: `name@date` (the Date header, in domain time). */
const outbox = (): Record<string, string[]> => {
  const dir = path.join(dataDir, 'outbox');
  const byRecipient: Record<string, string[]> = {};
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.eml'))) {
    const eml = readFileSync(path.join(dir, file), 'utf8');
    const header = (name: string) => new RegExp(`^${name}: (.*)$`, 'm').exec(eml)?.[1]?.trim() ?? '';
    const sent = new Date(header('Date')).toISOString();
    (byRecipient[header('To')] ??= []).push(`${header('X-Billstream-Notice')}@${sent}`);
  }
  for (const list of Object.values(byRecipient)) list.sort();
  return byRecipient;
};

const subscribe = async (name: string, paymentMethod: string | null, trialDays = 0) => {
  const plan = await post('/v1/plans', { name: `Monthly ${name}`, pricingModel: 'flat_rate', amount: 3_000, currency: 'usd', interval: 'month', trialDays });
  const email = `ap@${name}.example`;
  const customer = await post('/v1/customers', { name, email });
  if (paymentMethod) await post(`/v1/customers/${customer.customerId}/payment-method`, { paymentMethod });
  const contract = await post('/v1/contracts', { customerId: customer.customerId, title: name });
  await post(`/v1/contracts/${contract.contractId}/activate`);
  const subscription = await post('/v1/subscriptions', { contractId: contract.contractId, planId: plan.planId });
  return { email, customerId: customer.customerId as string, subscriptionId: subscription.subscriptionId as string };
};

type Seen = Readonly<{ subscription: string; invoice: string; attempts: number; nextRetryAt: string | null; graceEndsAt: string | null }>;

const look = async (subscriptionId: string, invoiceId: string): Promise<Seen> => {
  const invoice = await get(`/v1/invoices/${invoiceId}`);
  return {
    subscription: (await get(`/v1/subscriptions/${subscriptionId}`)).status,
    invoice: invoice.status,
    attempts: invoice.payments.length,
    nextRetryAt: invoice.dunning?.nextRetryAt ?? null,
    graceEndsAt: invoice.dunning?.graceEndsAt ?? null,
  };
};

/** What each customer's first invoice and its notices should be after day `d` has been run. */
const expected = {
  flaky: (d: number) => ({
    seen: {
      subscription: d < 3 ? 'PAST_DUE' : 'ACTIVE',
      invoice: d < 3 ? 'OPEN' : 'PAID',
      attempts: d < 1 ? 1 : d < 3 ? 2 : 3,
      nextRetryAt: d < 1 ? day(1) : d < 3 ? day(3) : null,
      graceEndsAt: null,
    },
    notices: [
      `invoice_finalized@${day(0)}`,
      `payment_failed_immediate@${day(0)}`,
      `subscription_created@${day(0)}`,
      ...(d >= 3 ? [`payment_succeeded@${day(3)}`] : []),
    ].sort(),
  }),
  /** A hard decline, or no payment method at all: grace at once, reminders on days 23 and 29, canceled on day 30. */
  hard: (d: number) => ({
    seen: {
      subscription: d < 30 ? 'PAST_DUE' : 'CANCELED',
      invoice: d < 30 ? 'OPEN' : 'UNCOLLECTIBLE',
      attempts: 1,
      nextRetryAt: null,
      graceEndsAt: day(30),
    },
    notices: [
      `invoice_finalized@${day(0)}`,
      `payment_failed_immediate@${day(0)}`,
      `subscription_created@${day(0)}`,
      ...(d >= 23 ? [`payment_failed_7day@${day(23)}`] : []),
      ...(d >= 29 ? [`payment_failed_1day@${day(29)}`] : []),
    ].sort(),
  }),
};

describe('dunning, day by day on the test clock', () => {
  it('recovers pm_flaky_2 on the second retry; cancels pm_declined and a customer without a payment method when grace ends', async () => {
    const flaky = await subscribe('flaky', 'pm_flaky_2');
    const declined = await subscribe('declined', 'pm_declined');
    const none = await subscribe('nomethod', null);
    const customers = [
      { who: flaky, timeline: expected.flaky },
      { who: declined, timeline: expected.hard },
      { who: none, timeline: expected.hard },
    ];

    const first = await post('/v1/test/clock/advance', { to: day(0) });
    const invoiceOf = (subscriptionId: string) => first.invoices.find((i: { subscriptionId: string }) => i.subscriptionId === subscriptionId).invoiceId as string;
    for (let d = 0; d <= 30; d++) {
      if (d > 0) await post('/v1/test/clock/advance', { days: 1 });
      const mail = outbox();
      for (const { who, timeline } of customers) {
        const want = timeline(d);
        expect(await look(who.subscriptionId, invoiceOf(who.subscriptionId)), `${who.email} on day ${d}`).toEqual(want.seen);
        expect(mail[who.email], `${who.email}'s notices on day ${d}`).toEqual(want.notices);
      }
    }

    const declinedInvoice = await get(`/v1/invoices/${invoiceOf(declined.subscriptionId)}`);
    expect(declinedInvoice.payments).toMatchObject([{ attempt: 1, paymentMethod: 'pm_declined', status: 'FAILED', failureCode: 'card_declined', hard: true }]);
    const noneInvoice = await get(`/v1/invoices/${invoiceOf(none.subscriptionId)}`);
    expect(noneInvoice.payments).toMatchObject([{ attempt: 1, paymentMethod: null, status: 'FAILED', failureCode: 'no_payment_method' }]);

    // Feb 1: canceled on day 30, neither is billed again. The recovered one's February invoice fails on its own
    // schedule from its own first failure (retries on Feb 2 and Feb 4), not where January's left off.
    const feb = await post('/v1/test/clock/advance', { days: 1 });
    expect(feb.invoices.map((i: { subscriptionId: string }) => i.subscriptionId)).toEqual([flaky.subscriptionId]);
    const february = feb.invoices[0].invoiceId as string;
    expect(await look(flaky.subscriptionId, february)).toEqual({ subscription: 'PAST_DUE', invoice: 'OPEN', attempts: 1, nextRetryAt: day(32), graceEndsAt: null });
    const febNotices = [`invoice_finalized@${day(31)}`, `payment_failed_immediate@${day(31)}`];
    expect(outbox()[flaky.email]).toEqual([...expected.flaky(30).notices, ...febNotices].sort());
    await post('/v1/test/clock/advance', { days: 2 });
    expect(await look(flaky.subscriptionId, february)).toEqual({ subscription: 'PAST_DUE', invoice: 'OPEN', attempts: 2, nextRetryAt: day(34), graceEndsAt: null });
    await post('/v1/test/clock/advance', { days: 1 });
    expect(await look(flaky.subscriptionId, february)).toEqual({ subscription: 'ACTIVE', invoice: 'PAID', attempts: 3, nextRetryAt: null, graceEndsAt: null });
    expect(outbox()[flaky.email]).toEqual([...expected.flaky(30).notices, ...febNotices, `payment_succeeded@${day(34)}`].sort());
    expect(outbox()[declined.email]).toEqual(expected.hard(30).notices);
  });
});

describe('an operator over dunning, and the trial reminder', () => {
  it('moves the reminders and the end of grace with an extension, ends dunning with a stop, and reminds of a trial 3 days before it ends', async () => {
    const start = clock.system.testClock!.now().getTime();
    const at = (d: number) => new Date(start + d * 86_400_000).toISOString();
    const extended = await subscribe('extended', 'pm_declined');
    const stopped = await subscribe('stopped', 'pm_declined');
    const trial = await subscribe('trialing', 'pm_ok', 14);
    const first = await post('/v1/test/clock/advance', { to: at(0) });
    const invoiceOf = (subscriptionId: string) => first.invoices.find((i: { subscriptionId: string }) => i.subscriptionId === subscriptionId).invoiceId as string;
    const [extendedInvoice, stoppedInvoice] = [invoiceOf(extended.subscriptionId), invoiceOf(stopped.subscriptionId)];
    /** Notices about the first invoice (later periods bring their own), or to the trialing customer. */
    const sent = async (filter: { invoiceId?: string; customerId?: string }) =>
      (await listNoticesSent(clock.system.db, filter)).map((n) => `${n.name}@${n.sent_at.toISOString()}`).sort();

    // Day 25: the 7-day reminder went out on day 23.
    await post('/v1/test/clock/advance', { days: 25 });
    const operator = { actor: { id: 'usr_operator', role: 'MANAGER' as const }, source: 'test', correlationId: 'dunning-override' };
    const overrides = createCollectionCommands({ store: clock.system.store, clock: clock.system.testClock!, charges: { request: () => Promise.reject(new Error('no charge here')) } });
    await overrides.extendGrace(extendedInvoice, { days: 10, reason: 'customer asked' }, operator);
    await overrides.stopDunning(stoppedInvoice, { reason: 'disputed' }, operator);
    expect((await get(`/v1/invoices/${extendedInvoice}`)).dunning).toMatchObject({ graceEndsAt: at(40) });

    for (let d = 26; d <= 41; d++) {
      await post('/v1/test/clock/advance', { days: 1 });
      const extendedNow = await get(`/v1/subscriptions/${extended.subscriptionId}`);
      expect(extendedNow.status, `day ${d}`).toBe(d < 40 ? 'PAST_DUE' : 'CANCELED');
      expect((await get(`/v1/invoices/${stoppedInvoice}`)).status, `day ${d}`).toBe('OPEN');
    }
    // After the extension, reminders of the grace end it has now (day 40), none of the one it had (day 30); none once dunning stopped.
    const before = [`invoice_finalized@${at(0)}`, `payment_failed_immediate@${at(0)}`, `payment_failed_7day@${at(23)}`];
    expect(await sent({ invoiceId: extendedInvoice })).toEqual([...before, `payment_failed_7day@${at(33)}`, `payment_failed_1day@${at(39)}`].sort());
    expect(await sent({ invoiceId: stoppedInvoice })).toEqual(before.sort());
    expect(await get(`/v1/subscriptions/${stopped.subscriptionId}`)).toMatchObject({ status: 'PAST_DUE' });
    expect((await get(`/v1/invoices/${stoppedInvoice}`)).dunning).toMatchObject({ stoppedAt: at(25), nextRetryAt: null, graceEndsAt: null });

    // The 14-day trial ends on day 14: reminded on day 11, then its first period is billed and paid.
    expect((await sent({ customerId: trial.customerId })).filter((n) => !n.startsWith('invoice_finalized') && !n.startsWith('payment_succeeded'))).toEqual(
      [`subscription_created@${at(0)}`, `trial_will_end@${at(11)}`].sort(),
    );
  });
});
