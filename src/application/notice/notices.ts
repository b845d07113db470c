import type { BillingInterval, Money } from '../../domain/shared/index.js';
import { formatAmount, formatDay } from './format.js';
import { escapeHtml, fillTemplate, loadTemplate, TemplateError, type TemplateValues } from './render.js';

/** Every notice, each with `templates/<name>.txt` (its first line `Subject: …`, then a blank line) and `<name>.html`. */
export const NOTICE_NAMES = [
  'payment_failed_immediate',
  'payment_failed_7day',
  'payment_failed_1day',
  'invoice_finalized',
  'payment_succeeded',
  'subscription_created',
  'trial_will_end',
] as const;
export type NoticeName = (typeof NOTICE_NAMES)[number];

/** Instants are ISO strings, shown as UTC days; amounts are minor units with their currency. */
type ToCustomer = Readonly<{ customerName: string }>;

/** Collection of a payment for an open invoice failed (or the customer has no payment method). */
export type PaymentFailedData = ToCustomer & Readonly<{ invoiceNumber: string; amountDue: Money; failureCode: string }>;
/** The grace period ends soon; when it does, the subscription is canceled. */
export type GraceReminderData = ToCustomer & Readonly<{ invoiceNumber: string; amountDue: Money; graceEndsAt: string }>;
export type InvoiceLineData = Readonly<{ description: string; quantity: number; amount: number }>;
export type InvoiceFinalizedData = ToCustomer &
  Readonly<{
    invoiceNumber: string;
    currency: string;
    periodStart: string;
    periodEnd: string;
    lines: readonly InvoiceLineData[];
    subtotal: number;
    tax: number;
    total: number;
    /** The customer's credit balance applied to it. */
    creditApplied: number;
    /** What the customer is asked to pay: the total less the credit applied. */
    amountDue: number;
  }>;
export type PaymentSucceededData = ToCustomer & Readonly<{ invoiceNumber: string; amountPaid: Money; paidAt: string }>;
export type SubscriptionCreatedData = ToCustomer &
  Readonly<{
    planName: string;
    quantity: number;
    /** What one period costs, every seat included. */
    price: Money;
    interval: BillingInterval;
    intervalCount: number;
    startsAt: string;
    /** The end of the trial, or the start when there is none. */
    firstInvoiceAt: string;
  }>;
export type TrialWillEndData = ToCustomer & Readonly<{ planName: string; trialEndsAt: string; firstInvoiceAmount: Money }>;

export type NoticeData = {
  payment_failed_immediate: PaymentFailedData;
  payment_failed_7day: GraceReminderData;
  payment_failed_1day: GraceReminderData;
  invoice_finalized: InvoiceFinalizedData;
  payment_succeeded: PaymentSucceededData;
  subscription_created: SubscriptionCreatedData;
  trial_will_end: TrialWillEndData;
};

export type RenderedNotice = Readonly<{ subject: string; text: string; html: string }>;

const graceReminder = (d: GraceReminderData): TemplateValues => ({
  customerName: d.customerName,
  invoiceNumber: d.invoiceNumber,
  amountDue: formatAmount(d.amountDue),
  graceEndsOn: formatDay(d.graceEndsAt),
});

const every = (interval: BillingInterval, count: number): string => (count === 1 ? interval : `${count} ${interval}s`);

/** The typed data of each notice as the text its templates insert. */
const VIEWS: { [N in NoticeName]: (data: NoticeData[N]) => TemplateValues } = {
  payment_failed_immediate: (d) => ({
    customerName: d.customerName,
    invoiceNumber: d.invoiceNumber,
    amountDue: formatAmount(d.amountDue),
    failureCode: d.failureCode,
  }),
  payment_failed_7day: graceReminder,
  payment_failed_1day: graceReminder,
  invoice_finalized: (d) => ({
    customerName: d.customerName,
    invoiceNumber: d.invoiceNumber,
    periodStart: formatDay(d.periodStart),
    periodEnd: formatDay(d.periodEnd),
    lines: d.lines.map((line) => ({
      description: line.description,
      quantity: String(line.quantity),
      amount: formatAmount({ amount: line.amount, currency: d.currency }),
    })),
    subtotal: formatAmount({ amount: d.subtotal, currency: d.currency }),
    tax: formatAmount({ amount: d.tax, currency: d.currency }),
    total: formatAmount({ amount: d.total, currency: d.currency }),
    creditApplied: formatAmount({ amount: -d.creditApplied, currency: d.currency }),
    amountDue: formatAmount({ amount: d.amountDue, currency: d.currency }),
  }),
  payment_succeeded: (d) => ({
    customerName: d.customerName,
    invoiceNumber: d.invoiceNumber,
    amountPaid: formatAmount(d.amountPaid),
    paidOn: formatDay(d.paidAt),
  }),
  subscription_created: (d) => ({
    customerName: d.customerName,
    planName: d.planName,
    quantity: String(d.quantity),
    price: formatAmount(d.price),
    every: every(d.interval, d.intervalCount),
    startsOn: formatDay(d.startsAt),
    firstInvoiceOn: formatDay(d.firstInvoiceAt),
  }),
  trial_will_end: (d) => ({
    customerName: d.customerName,
    planName: d.planName,
    trialEndsOn: formatDay(d.trialEndsAt),
    firstInvoiceAmount: formatAmount(d.firstInvoiceAmount),
  }),
};

const SUBJECT_LINE = /^Subject: (.*)\n\n/;

/** A header holds one line: a value with a line break or a tab in it goes in as spaces. */
const oneLine = (text: string): string => text.replace(/\s+/g, ' ');

/** The subject, text and HTML of a notice; every value inserted into the HTML is escaped. */
export const renderNotice = <N extends NoticeName>(name: N, data: NoticeData[N]): RenderedNotice => {
  const values = (VIEWS[name] as (d: NoticeData[N]) => TemplateValues)(data);
  const txt = loadTemplate(`${name}.txt`);
  const subject = SUBJECT_LINE.exec(txt);
  if (!subject) throw new TemplateError(`${name}.txt: the first line must be "Subject: …", then a blank line`);
  return {
    subject: fillTemplate(subject[1]!, values, oneLine, `${name}.txt subject`).trim(),
    text: fillTemplate(txt.slice(subject[0].length), values, (t) => t, `${name}.txt`),
    html: fillTemplate(loadTemplate(`${name}.html`), values, escapeHtml, `${name}.html`),
  };
};
