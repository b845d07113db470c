import type { Transaction } from 'kysely';
import type { Database } from '../../db/index.js';
import type { CustomerCreditApplied, CustomerCreditGranted, CustomerEvent } from '../../domain/customer/index.js';
import type { RecordedEvent } from '../../eventstore/index.js';
import { domainEvent, inChunks } from '../runtime/index.js';

type CreditEvent = CustomerCreditGranted | CustomerCreditApplied;
type Credit = Readonly<{ recorded: RecordedEvent; event: CreditEvent }>;

const creditEvents = (events: readonly RecordedEvent[]): Credit[] =>
  events
    .map((recorded) => ({ recorded, event: domainEvent<CustomerEvent>(recorded) }))
    .filter((c): c is Credit => c.event.type === 'CustomerCreditGranted' || c.event.type === 'CustomerCreditApplied');

const occurredAt = (event: CreditEvent): string =>
  event.type === 'CustomerCreditGranted' ? event.data.grantedAt : event.data.appliedAt;

/**
 * Balances are set from `balanceAfter`, never added to, and only over an older
 * revision: replaying any prefix leaves them as they are. One upsert per batch,
 * with the last event of each customer and currency.
 */
const setBalances = async (trx: Transaction<Database>, credits: readonly Credit[]): Promise<void> => {
  const last = new Map<string, Credit>();
  for (const c of credits) last.set(`${c.event.data.customerId}\u0000${c.event.data.currency}`, c);
  for (const chunk of inChunks([...last.values()])) {
    await trx
      .insertInto('read.customer_credit_balances')
      .values(
        chunk.map(({ recorded, event }) => ({
          customer_id: event.data.customerId,
          currency: event.data.currency,
          balance: event.data.balanceAfter,
          revision: recorded.revision,
          updated_at: occurredAt(event),
        })),
      )
      .onConflict((oc) =>
        oc
          .columns(['customer_id', 'currency'])
          .doUpdateSet((eb) => ({
            balance: eb.ref('excluded.balance'),
            revision: eb.ref('excluded.revision'),
            updated_at: eb.ref('excluded.updated_at'),
          }))
          .whereRef('read.customer_credit_balances.revision', '<', 'excluded.revision'),
      )
      .execute();
  }
};

/** One ledger line per event, keyed by its id, so a replay adds nothing. */
const appendLedger = async (trx: Transaction<Database>, credits: readonly Credit[]): Promise<void> => {
  for (const chunk of inChunks(credits)) {
    await trx
      .insertInto('read.customer_credit_ledger')
      .values(
        chunk.map(({ recorded, event }) => ({
          event_id: recorded.eventId,
          customer_id: event.data.customerId,
          revision: recorded.revision,
          kind: event.type === 'CustomerCreditGranted' ? ('grant' as const) : ('application' as const),
          amount: event.data.amount,
          currency: event.data.currency,
          balance_after: event.data.balanceAfter,
          reason: event.type === 'CustomerCreditGranted' ? event.data.reason : null,
          invoice_id: event.type === 'CustomerCreditApplied' ? (event.data.invoiceId ?? null) : null,
          occurred_at: occurredAt(event),
        })),
      )
      .onConflict((oc) => oc.column('event_id').doNothing())
      .execute();
  }
};

export const applyCredit = async (trx: Transaction<Database>, events: readonly RecordedEvent[]): Promise<void> => {
  const credits = creditEvents(events);
  if (credits.length === 0) return;
  await setBalances(trx, credits);
  await appendLedger(trx, credits);
};
