import { sql, type Kysely } from 'kysely';
import type { Database, Db, Int8 } from '../../db/index.js';
import { effectiveAt } from '../../domain/billing/index.js';
import type { SubscriptionEvent } from '../../domain/subscription/index.js';
import type { Projection } from '../runtime/index.js';

export type SubscriptionDueTable = { subscription_id: string; due_at: Date | string | null; revision: Int8 };

export const BILLING_DUE_PROJECTION = 'billing_due';

/** The instant from which an event can have something to bill: a first period's start, or the change's own instant. */
const dueFrom = (event: SubscriptionEvent): string | undefined =>
  event.type === 'SubscriptionCreated' ? event.data.billingAnchor : effectiveAt(event);

const EVENT_TYPES = [
  'SubscriptionCreated',
  'SubscriptionPaused',
  'SubscriptionResumed',
  'SubscriptionPlanChanged',
  'SubscriptionQuantityChanged',
  'SubscriptionCanceled',
  'SubscriptionExpired',
  // A scheduled cancellation ends billing at its instant; its withdrawal makes the next period due again.
  'SubscriptionCancellationScheduled',
  'SubscriptionCancellationWithdrawn',
];

/**
 * Makes a subscription due at the instant of each event that can bill
 * something, never later than it already was. A row's revision only grows, so
 * replaying a prefix changes nothing, and a rebuild at worst makes a
 * subscription due early: the billing run then bills nothing twice and moves
 * it on.
 */
export const billingDueProjection: Projection = {
  name: BILLING_DUE_PROJECTION,
  filter: { eventTypes: EVENT_TYPES },
  apply: async (trx, events) => {
    const bySubscription = new Map<string, { dueAt: string; revision: bigint }>();
    for (const recorded of events) {
      const dueAt = dueFrom({ type: recorded.type, data: recorded.data } as SubscriptionEvent);
      if (dueAt === undefined) continue;
      const id = recorded.streamName.slice('subscription-'.length);
      const seen = bySubscription.get(id);
      bySubscription.set(id, {
        dueAt: seen && new Date(seen.dueAt) < new Date(dueAt) ? seen.dueAt : dueAt,
        revision: seen && seen.revision > recorded.revision ? seen.revision : recorded.revision,
      });
    }
    if (bySubscription.size === 0) return;
    await trx
      .insertInto('billing.subscription_due')
      .values([...bySubscription].map(([subscription_id, { dueAt, revision }]) => ({ subscription_id, due_at: dueAt, revision: revision.toString() })))
      .onConflict((oc) =>
        oc
          .column('subscription_id')
          .doUpdateSet({
            due_at: sql`least(billing.subscription_due.due_at, excluded.due_at)`,
            revision: sql`excluded.revision`,
          })
          .where('billing.subscription_due.revision', '<', sql<string>`excluded.revision`),
      )
      .execute();
  },
  reset: async (trx) => {
    await trx.deleteFrom('billing.subscription_due').execute();
  },
};

/** Whether any subscription is due by `now`, and when the first after it falls due: SQL, for the test clock's one look at every trigger. */
export const subscriptionsDueWhen = {
  now: (now: Date) => sql<boolean>`exists (select 1 from billing.subscription_due where due_at <= ${now})`,
  next: (now: Date) => sql<Date | null>`(select min(due_at) from billing.subscription_due where due_at > ${now})`,
};

/** Subscriptions due by `until`, in due order, after `after` (keyset), `limit` at a time. */
export const dueSubscriptions = async (
  db: Db,
  until: Date,
  limit: number,
  after?: Readonly<{ dueAt: Date; subscriptionId: string }>,
): Promise<{ subscriptionId: string; dueAt: Date }[]> => {
  let query = db
    .selectFrom('billing.subscription_due')
    .select(['subscription_id', 'due_at'])
    .where('due_at', '<=', until)
    .orderBy('due_at')
    .orderBy('subscription_id')
    .limit(limit);
  if (after) {
    query = query.where((eb) =>
      eb.or([eb('due_at', '>', after.dueAt), eb.and([eb('due_at', '=', after.dueAt), eb('subscription_id', '>', after.subscriptionId)])]),
    );
  }
  return (await query.execute()).map((r) => ({ subscriptionId: r.subscription_id, dueAt: new Date(r.due_at!) }));
};

/**
 * After billing up to an instant, when the subscription is next due; written
 * only over a row resting on the same or an older revision: an event the
 * projection recorded since makes the subscription due again by itself.
 */
export const moveDue = async (db: Kysely<Database>, subscriptionId: string, nextDueAt: string | undefined, revision: bigint): Promise<void> => {
  await db
    .updateTable('billing.subscription_due')
    .set({ due_at: nextDueAt ?? null, revision: revision.toString() })
    .where('subscription_id', '=', subscriptionId)
    .where('revision', '<=', revision.toString())
    .execute();
};

/** moveDue for a batch, in one statement. */
export const moveDueMany = async (
  db: Kysely<Database>,
  moves: readonly Readonly<{ subscriptionId: string; nextDueAt: string | undefined; revision: bigint }>[],
): Promise<void> => {
  if (moves.length === 0) return;
  await sql`
    update billing.subscription_due d
       set due_at = m.due_at, revision = m.revision
      from unnest(${moves.map((m) => m.subscriptionId)}::text[], ${moves.map((m) => m.nextDueAt ?? null)}::timestamptz[],
                  ${moves.map((m) => m.revision.toString())}::bigint[]) as m(subscription_id, due_at, revision)
     where d.subscription_id = m.subscription_id and d.revision <= m.revision`.execute(db);
};

/** The tables this module owns; src/root/database.ts gathers every module's map into the Database. */
export type BillingDueTables = {
  'billing.subscription_due': SubscriptionDueTable;
};
