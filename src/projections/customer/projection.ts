import type { Transaction, Updateable } from 'kysely';
import type { Database } from '../../db/index.js';
import type { CustomerEvent, CustomerRegistered } from '../../domain/customer/index.js';
import type { RecordedEvent } from '../../eventstore/index.js';
import { domainEvent, inChunks, jsonOrNull } from '../runtime/index.js';
import type { Projection } from '../runtime/index.js';
import { applyCredit } from './credit.js';
import type { CustomersTable } from './table.js';

export const CUSTOMERS_PROJECTION = 'customers';

const STREAM_PREFIX = 'customer-';
/** From the stream name, which every event has, whatever its type. */
const idOf = (recorded: RecordedEvent): string => recorded.streamName.slice(STREAM_PREFIX.length);

/** The columns an event changes; `revision` is set beside them. */
const changeOf = (event: CustomerEvent): Updateable<CustomersTable> => {
  switch (event.type) {
    case 'CustomerUpdated': {
      const { name, email, ownerUserId, metadata, draftInvoices, updatedAt } = event.data;
      return {
        ...(name !== undefined && { name }),
        ...(draftInvoices !== undefined && { draft_invoices: draftInvoices }),
        ...(email !== undefined && { email }),
        ...(ownerUserId !== undefined && { owner_user_id: ownerUserId }),
        ...(metadata !== undefined && { metadata: jsonOrNull(metadata) }),
        updated_at: updatedAt,
      };
    }
    case 'PaymentMethodAttached':
      return { payment_method: event.data.paymentMethod, updated_at: event.data.attachedAt };
    case 'CustomerTaxRateSet':
      return { tax_rate_id: event.data.taxRateId, updated_at: event.data.setAt };
    case 'CustomerDiscountApplied': {
      const { customerId: _c, appliedAt, ...discount } = event.data;
      return { discount: JSON.stringify(discount), updated_at: appliedAt };
    }
    case 'CustomerDiscountRemoved':
      return { discount: null, updated_at: event.data.removedAt };
    case 'CustomerCreditGranted':
      return { updated_at: event.data.grantedAt };
    case 'CustomerCreditApplied':
      return { updated_at: event.data.appliedAt };
    default:
      // Registration inserts; an event type this code does not know still moves the revision (the ETag).
      return {};
  }
};

const insertRegistered = async (trx: Transaction<Database>, events: readonly RecordedEvent[]): Promise<void> => {
  for (const chunk of inChunks(events)) {
    await trx
      .insertInto('read.customers')
      .values(
        chunk.map((recorded) => {
          const { data } = domainEvent<CustomerRegistered>(recorded);
          return {
            customer_id: data.customerId,
            name: data.name,
            email: data.email,
            owner_user_id: data.ownerUserId ?? null,
            payment_method: null,
            tax_rate_id: null,
            discount: null,
            metadata: jsonOrNull(data.metadata),
            draft_invoices: data.draftInvoices ?? false,
            revision: recorded.revision,
            created_at: data.registeredAt,
            updated_at: data.registeredAt,
          };
        }),
      )
      .onConflict((oc) => oc.column('customer_id').doNothing())
      .execute();
  }
};

/**
 * Registrations are inserted first, all at once (each is its stream's first
 * event); every other event is an UPDATE of the columns it changes, guarded by
 * the revision so that replaying any prefix changes nothing.
 */
export const customersProjection: Projection = {
  name: CUSTOMERS_PROJECTION,
  filter: { streamPrefixes: [STREAM_PREFIX] },
  apply: async (trx, events) => {
    await insertRegistered(trx, events.filter((e) => e.type === 'CustomerRegistered'));
    for (const recorded of events) {
      if (recorded.type === 'CustomerRegistered') continue;
      await trx
        .updateTable('read.customers')
        .set({ ...changeOf(domainEvent<CustomerEvent>(recorded)), revision: recorded.revision })
        .where('customer_id', '=', idOf(recorded))
        .where('revision', '<', recorded.revision.toString())
        .execute();
    }
    await applyCredit(trx, events);
  },
  reset: async (trx) => {
    await trx.deleteFrom('read.customer_credit_ledger').execute();
    await trx.deleteFrom('read.customer_credit_balances').execute();
    await trx.deleteFrom('read.customers').execute();
  },
};
