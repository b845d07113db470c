import type { Kysely } from 'kysely';
import { sql } from 'kysely';
import type { Database } from '../../src/root/database.js';
import { customerDecider, customerStreamName, type CustomerCommand } from '../../src/domain/customer/index.js';
import { subscriptionDecider, subscriptionStreamName, type PlanAtCommand, type SubscriptionCommand } from '../../src/domain/subscription/index.js';
import { handleCommand, type EventStore } from '../../src/eventstore/index.js';
import { plan } from '../domain/billingFixtures.js';

export const ORIGIN = { actor: { id: 'system:billing' }, source: 'scheduler', correlationId: 'batch-test' };

/**
 * Customers and subscriptions written through their deciders. Every command
 * has a commandId made from its stream, type and instant, so the same calls on
 * two stores write the same event ids (and so the same change invoices' ids).
 */
export const setup = (store: EventStore) => {
  const context = (stream: string, type: string, at: string) => ({
    correlationId: 'setup',
    actor: { id: 'usr_test' },
    source: 'api',
    occurredAt: new Date(at),
    commandId: `setup:${stream}:${type}:${at}`,
  });
  const onCustomer = (customerId: string, command: CustomerCommand) =>
    handleCommand(store, customerStreamName(customerId), customerDecider, command, context(customerId, command.type, command.data.now));
  const onSubscription = (subscriptionId: string, command: SubscriptionCommand) =>
    handleCommand(store, subscriptionStreamName(subscriptionId), subscriptionDecider, command, context(subscriptionId, command.type, command.data.now));

  return {
    customer: async (customerId: string, at: string, options: { draftInvoices?: boolean; credit?: number } = {}) => {
      const { draftInvoices, credit } = options;
      await onCustomer(customerId, {
        type: 'RegisterCustomer',
        data: { customerId, name: 'Acme', email: 'billing@acme.example', ...(draftInvoices !== undefined && { draftInvoices }), now: at },
      });
      if (credit) await onCustomer(customerId, { type: 'GrantCredit', data: { amount: credit, currency: 'usd', reason: 'goodwill', now: at } });
    },
    subscription: async (subscriptionId: string, customerId: string, at: string, price: Partial<PlanAtCommand> = {}) => {
      await onSubscription(subscriptionId, {
        type: 'CreateSubscription',
        data: { subscriptionId, contract: { contractId: 'ctr_1', customerId, status: 'ACTIVE' }, plan: plan(price), quantity: 1, now: at },
      });
    },
    changePlan: (subscriptionId: string, at: string, price: Partial<PlanAtCommand>) =>
      onSubscription(subscriptionId, { type: 'ChangePlan', data: { plan: plan(price), now: at } }),
    pause: (subscriptionId: string, at: string) => onSubscription(subscriptionId, { type: 'PauseSubscription', data: { by: 'request', now: at } }),
  };
};

/** Every event as written, without what only the store decides (positions, recorded_at). */
export const allEvents = async (db: Kysely<Database>) =>
  (
    await sql<{ stream_name: string; revision: string; event_id: string; type: string; data: unknown; metadata: unknown }>`
      select stream_name, revision::text, event_id::text, type, data, metadata from es.events order by stream_name, revision`.execute(db)
  ).rows;

/** The events of every stream whose name has `tag`, and of the invoices of subscriptions whose id has it; with the transactions that wrote them. */
export const eventsOf = async (db: Kysely<Database>, tag: string) =>
  (
    await sql<{ stream_name: string; revision: string; type: string; data: Record<string, unknown>; tx: string }>`
      select stream_name, revision::text, type, data, transaction_id::text as tx from es.events
      where stream_name like ${`%${tag}%`}
        or stream_name in (select stream_name from es.events where type = 'InvoiceCreated' and data->>'subscriptionId' like ${`%${tag}%`})
      order by stream_name, revision`.execute(db)
  ).rows;

/** How many transactions wrote the events of a correlation (one billing's). */
export const transactionsOf = async (db: Kysely<Database>, correlationId: string) =>
  Number(
    (await sql<{ n: number }>`select count(distinct transaction_id)::int as n from es.events where metadata->>'correlationId' = ${correlationId}`.execute(db)).rows[0]!.n,
  );

/** The invoice numbers given out in a year, in order. */
export const numbersOf = async (db: Kysely<Database>, year: number) =>
  (await db.selectFrom('billing.invoice_numbers').select(['invoice_id', 'seq']).where('year', '=', year).orderBy('seq').execute()).map((r) => r.seq);
