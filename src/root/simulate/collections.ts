import { sql, type Kysely } from 'kysely';
import type { Database } from '../../db/index.js';

/**
 * What collections did in a simulation, read from the read models once the
 * clock has reached the end: read.payments (one row per attempt),
 * read.invoices, read.audit_log (every event: a subscription's past due,
 * recovery and cancellation, with its reason), read.customers and
 * collections.notices_sent. Nothing here is counted by the simulation itself.
 */
export type CollectionsSummary = Readonly<{
  attempts: number;
  succeeded: number;
  collected: number;
  /** Failed attempts by the gateway's code (no_payment_method: none was attached). */
  failures: readonly Readonly<{ code: string; count: number }>[];
  invoicesByStatus: readonly Readonly<{ status: string; count: number; total: number }>[];
  /** Invoices marked uncollectible because grace ended (not by an operator). */
  writtenOffAtGraceEnd: number;
  /** Subscriptions with a SubscriptionPastDue, however it ended. */
  wentPastDue: number;
  /** SubscriptionRecovered events: a subscription whose last unpaid invoice was paid (one may recover more than once). */
  recoveries: number;
  /** Subscriptions canceled with reason payment_failed: grace ended. */
  graceCancellations: number;
  /** PAST_DUE at the end. */
  pastDueAtEnd: number;
  notices: readonly Readonly<{ name: string; count: number }>[];
  /** The customers' payment methods at the end (`none`: never attached one). */
  paymentMethods: readonly Readonly<{ token: string; count: number }>[];
}>;

const n = (value: unknown): number => Number(value ?? 0);

export const readCollections = async (db: Kysely<Database>): Promise<CollectionsSummary> => {
  const payments = (
    await sql<{ attempts: string; succeeded: string; collected: string | null }>`
      select count(*) as attempts, count(*) filter (where status = 'SUCCEEDED') as succeeded,
             sum(amount) filter (where status = 'SUCCEEDED') as collected
      from read.payments`.execute(db)
  ).rows[0]!;
  const failures = await sql<{ code: string; count: string }>`
    select failure_code as code, count(*) as count from read.payments where status = 'FAILED' group by 1 order by failure_code collate "C"`.execute(db);
  const invoices = await sql<{ status: string; count: string; total: string }>`
    select status, count(*) as count, sum(total) as total from read.invoices group by 1 order by status collate "C"`.execute(db);
  const writtenOff = (await sql<{ count: string }>`select count(*) as count from read.invoices where uncollectible_reason = 'grace_ended'`.execute(db)).rows[0]!;
  // The audit log is the read model that keeps every event with its data: a subscription's status column keeps only the last.
  const subscriptions = (
    await sql<{ past_due: string; recovered: string; grace: string }>`
      select count(distinct stream_name) filter (where event_type = 'SubscriptionPastDue') as past_due,
             count(*) filter (where event_type = 'SubscriptionRecovered') as recovered,
             count(*) filter (where event_type = 'SubscriptionCanceled' and changes -> 'reason' ->> 'after' = 'payment_failed') as grace
      from read.audit_log
      where event_type in ('SubscriptionPastDue', 'SubscriptionRecovered', 'SubscriptionCanceled')`.execute(db)
  ).rows[0]!;
  const pastDue = (await sql<{ count: string }>`select count(*) as count from read.subscriptions where status = 'PAST_DUE'`.execute(db)).rows[0]!;
  const notices = await sql<{ name: string; count: string }>`
    select name, count(*) as count from collections.notices_sent group by 1 order by name collate "C"`.execute(db);
  const methods = await sql<{ token: string; count: string }>`
    select coalesce(payment_method, 'none') as token, count(*) as count from read.customers group by 1 order by coalesce(payment_method, 'none') collate "C"`.execute(db);
  return {
    attempts: n(payments.attempts),
    succeeded: n(payments.succeeded),
    collected: n(payments.collected),
    failures: failures.rows.map((r) => ({ code: r.code, count: n(r.count) })),
    invoicesByStatus: invoices.rows.map((r) => ({ status: r.status, count: n(r.count), total: n(r.total) })),
    writtenOffAtGraceEnd: n(writtenOff.count),
    wentPastDue: n(subscriptions.past_due),
    recoveries: n(subscriptions.recovered),
    graceCancellations: n(subscriptions.grace),
    pastDueAtEnd: n(pastDue.count),
    notices: notices.rows.map((r) => ({ name: r.name, count: n(r.count) })),
    paymentMethods: methods.rows.map((r) => ({ token: r.token, count: n(r.count) })),
  };
};

/** The failed attempts, all codes together. */
export const failedAttempts = (c: CollectionsSummary): number => c.failures.reduce((sum, f) => sum + f.count, 0);

/** The summary's collections lines; `money` formats minor units as the summary does. */
export const formatCollections = (c: CollectionsSummary, money: (minor: number) => string): string[] => {
  const count = (value: number) => value.toLocaleString('en-US');
  const list = <T>(rows: readonly T[], line: (row: T) => string) => (rows.length === 0 ? 'none' : rows.map(line).join(', '));
  const notices = c.notices.reduce((sum, r) => sum + r.count, 0);
  return [
    `payment methods at the end: ${list(c.paymentMethods, (r) => `${r.token} ${count(r.count)}`)}`,
    `payments: ${count(c.attempts)} attempts, ${count(c.succeeded)} succeeded (collected ${money(c.collected)} usd), ${count(failedAttempts(c))} failed: ${list(c.failures, (f) => `${f.code} ${count(f.count)}`)}`,
    `invoices by status: ${list(c.invoicesByStatus, (r) => `${r.status} ${count(r.count)} (${money(r.total)})`)}; ${count(c.writtenOffAtGraceEnd)} written off when grace ended`,
    `dunning: ${count(c.wentPastDue)} subscriptions went past due, ${count(c.recoveries)} recoveries, ${count(c.graceCancellations)} canceled when grace ended (payment_failed), ${count(c.pastDueAtEnd)} past due at the end`,
    `notices sent: ${count(notices)}: ${list(c.notices, (r) => `${r.name} ${count(r.count)}`)}`,
  ];
};
