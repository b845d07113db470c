import { type Clock } from '../../clock/index.js';
import type { Kysely } from 'kysely';
import type { Database } from '../../db/index.js';
import { customerDecider, customerStreamName } from '../../domain/customer/index.js';
import { amountDueOf, invoiceDecider, invoiceStreamName, type ExistingInvoice } from '../../domain/invoice/index.js';
import { planDecider, planStreamName } from '../../domain/plan/index.js';
import { subscriptionDecider, subscriptionStreamName } from '../../domain/subscription/index.js';
import { foldStream, type EventStore } from '../../eventstore/index.js';
import type { JobContext, Jobs, QueueSpec } from '../../jobs/index.js';
import { messageIdFor, renderNotice, type Mailer, type NoticeData, type NoticeName } from '../notice/index.js';
import { recordSent, wasSent } from './noticesSent.js';

/** A notice to send, by what it is about; it is composed from the streams when its job runs. */
type AboutOf = {
  payment_failed_immediate: { invoiceId: string };
  invoice_finalized: { invoiceId: string };
  payment_succeeded: { invoiceId: string };
  payment_failed_7day: { invoiceId: string; graceEndsAt: string };
  payment_failed_1day: { invoiceId: string; graceEndsAt: string };
  subscription_created: { subscriptionId: string };
  trial_will_end: { subscriptionId: string; trialEnd: string };
};
export type NoticeJob = { [N in NoticeName]: Readonly<{ name: N } & AboutOf[N]> }[NoticeName];

export const NOTICES: QueueSpec = { name: 'notices', retryLimit: 10, retryDelaySeconds: 30, expireInSeconds: 60 };

/**
 * One key per notice and what it is about: a reminder names the grace end it
 * reminds of, so an extended grace gets reminders of its own.
 */
export const noticeKey = (job: NoticeJob): string => {
  switch (job.name) {
    case 'payment_failed_7day':
    case 'payment_failed_1day':
      return `notice:${job.name}:${job.invoiceId}:${job.graceEndsAt}`;
    case 'trial_will_end':
      return `notice:${job.name}:${job.subscriptionId}:${job.trialEnd}`;
    case 'subscription_created':
      return `notice:${job.name}:${job.subscriptionId}`;
    default:
      return `notice:${job.name}:${job.invoiceId}`;
  }
};

export type NoticesDeps = Readonly<{ db: Kysely<Database>; store: EventStore; clock: Clock; jobs: Jobs; mailer: Mailer; mailFrom: string }>;

type Composed<N extends NoticeName = NoticeName> = Readonly<{ name: N; data: NoticeData[N]; customerId: string; invoiceId?: string; subscriptionId?: string }>;

const amountDue = (invoice: ExistingInvoice) => ({ amount: amountDueOf(invoice), currency: invoice.currency });

/**
 * Notices as jobs: each asked for once by its key (noticeKey), and composed
 * when it runs, from the streams as they are then. One that no longer
 * applies (the invoice paid before its reminder, grace extended, the trial
 * ended early) is not sent: recovery means no further notice.
 */
export const createNotices = (deps: NoticesDeps) => {
  const invoiceOf = async (invoiceId: string) => (await foldStream(deps.store, invoiceStreamName(invoiceId), invoiceDecider)).state;

  /** What to send, or undefined when the notice no longer applies; `name` is checked by the caller's switch. */
  const compose = async (job: NoticeJob): Promise<Omit<Composed, 'data'> & { data: Record<string, unknown> } | undefined> => {
    switch (job.name) {
      case 'payment_failed_immediate':
      case 'payment_failed_7day':
      case 'payment_failed_1day': {
        const invoice = await invoiceOf(job.invoiceId);
        if (invoice.status !== 'OPEN' || invoice.collection?.stoppedAt) return undefined;
        const lastFailure = invoice.collection?.payments.findLast((p) => p.result?.outcome === 'failed')?.result;
        if (!lastFailure || lastFailure.outcome !== 'failed') return undefined;
        const about = { customerId: invoice.customerId, invoiceId: invoice.invoiceId, subscriptionId: invoice.subscriptionId };
        const facts = { invoiceNumber: invoice.number, amountDue: amountDue(invoice) };
        if (job.name === 'payment_failed_immediate') return { name: job.name, data: { ...facts, failureCode: lastFailure.code }, ...about };
        // A reminder of a grace end that moved (extended) or ended with dunning stopped is not sent.
        const ends = invoice.collection?.graceEndsAt;
        if (ends === undefined || Date.parse(ends) !== Date.parse(job.graceEndsAt)) return undefined;
        return { name: job.name, data: { ...facts, graceEndsAt: job.graceEndsAt }, ...about };
      }
      case 'invoice_finalized': {
        const invoice = await invoiceOf(job.invoiceId);
        if (invoice.status === 'NONE' || invoice.status === 'DRAFT' || invoice.status === 'VOID' || invoice.number === undefined) return undefined;
        const starts = invoice.lines.map((l) => l.period.start).sort();
        const ends = invoice.lines.map((l) => l.period.end).sort();
        const data = {
          invoiceNumber: invoice.number,
          currency: invoice.currency,
          periodStart: invoice.cause.kind === 'period' ? invoice.cause.periodStart : starts[0]!,
          periodEnd: ends.at(-1)!,
          // The credit applied is shown below the total, as what paid part of it.
          lines: invoice.lines.filter((l) => l.type !== 'credit_applied').map((l) => ({ description: l.description, quantity: l.quantity, amount: l.amount })),
          subtotal: invoice.subtotal,
          tax: invoice.tax,
          total: invoice.total,
          creditApplied: invoice.creditApplied,
          amountDue: amountDueOf(invoice),
        };
        return { name: job.name, data, customerId: invoice.customerId, invoiceId: invoice.invoiceId, subscriptionId: invoice.subscriptionId };
      }
      case 'payment_succeeded': {
        const invoice = await invoiceOf(job.invoiceId);
        if (invoice.status !== 'PAID') return undefined;
        const data = { invoiceNumber: invoice.number, amountPaid: { amount: invoice.paid, currency: invoice.currency }, paidAt: invoice.paidAt };
        return { name: job.name, data, customerId: invoice.customerId, invoiceId: invoice.invoiceId, subscriptionId: invoice.subscriptionId };
      }
      case 'subscription_created':
      case 'trial_will_end': {
        const subscription = (await foldStream(deps.store, subscriptionStreamName(job.subscriptionId), subscriptionDecider)).state;
        if (subscription.status === 'NONE') return undefined;
        const trialEnd = subscription.status === 'TRIALING' ? subscription.trialEnd : undefined;
        if (job.name === 'trial_will_end' && (trialEnd === undefined || Date.parse(trialEnd) !== Date.parse(job.trialEnd))) return undefined;
        const plan = (await foldStream(deps.store, planStreamName(subscription.plan.planId), planDecider)).state;
        const planName = plan.status === 'none' ? subscription.plan.planId : plan.name;
        const { plan: price, quantity } = subscription;
        const perPeriod = { amount: price.pricingModel === 'per_unit' ? price.amount * quantity : price.amount, currency: price.currency };
        const data =
          job.name === 'trial_will_end'
            ? { planName, trialEndsAt: job.trialEnd, firstInvoiceAmount: perPeriod }
            : {
                planName,
                quantity,
                price: perPeriod,
                interval: price.interval,
                intervalCount: price.intervalCount,
                startsAt: subscription.createdAt,
                firstInvoiceAt: subscription.trialEnd ?? subscription.currentPeriodStart,
              };
        return { name: job.name, data, customerId: subscription.customerId, subscriptionId: subscription.subscriptionId };
      }
    }
  };

  const run = async (job: NoticeJob, { retried }: Pick<JobContext, 'retried'>): Promise<void> => {
    const key = noticeKey(job);
    // Sent, and the job's completion lost: not again. A job's first run has sent nothing yet (one job per key, ever).
    if (retried && (await wasSent(deps.db, key))) return;
    const notice = await compose(job);
    if (!notice) return;
    const customer = (await foldStream(deps.store, customerStreamName(notice.customerId), customerDecider)).state;
    if (customer.status !== 'registered') return;
    const rendered = renderNotice(notice.name, { customerName: customer.name, ...notice.data } as NoticeData[typeof notice.name]);
    const now = deps.clock.now();
    const messageId = messageIdFor(key, deps.mailFrom);
    await deps.mailer.send({ to: customer.email, ...rendered, messageId, date: now, headers: { 'X-Billstream-Notice': notice.name } });
    await recordSent(deps.db, {
      key,
      name: notice.name,
      messageId,
      recipient: customer.email,
      customerId: notice.customerId,
      ...(notice.invoiceId !== undefined && { invoiceId: notice.invoiceId }),
      ...(notice.subscriptionId !== undefined && { subscriptionId: notice.subscriptionId }),
      sentAt: now,
    });
  };

  return {
    /** Asks for a notice: once per key, however often asked, from however many processes. */
    request: (job: NoticeJob) => deps.jobs.enqueue(NOTICES.name, noticeKey(job), job),
    run,
  };
};

export type Notices = ReturnType<typeof createNotices>;
