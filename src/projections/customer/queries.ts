import { sql, type Selectable } from 'kysely';
import type { Db } from '../../db/index.js';
import type { CustomersTable } from './table.js';

export type CustomerView = Readonly<{
  customerId: string;
  name: string;
  email: string;
  ownerUserId?: string;
  paymentMethod?: string;
  metadata?: Readonly<Record<string, string>>;
  draftInvoices: boolean;
  /** Balance by currency, in minor units. */
  credit: Readonly<Record<string, number>>;
  revision: bigint;
  createdAt: string;
  updatedAt: string;
}>;

type Row = Selectable<CustomersTable> & { credit: Record<string, number> };

const toView = (row: Row): CustomerView => ({
  customerId: row.customer_id,
  name: row.name,
  email: row.email,
  ownerUserId: row.owner_user_id ?? undefined,
  paymentMethod: row.payment_method ?? undefined,
  metadata: row.metadata ?? undefined,
  draftInvoices: row.draft_invoices,
  credit: row.credit,
  revision: BigInt(row.revision),
  createdAt: row.created_at.toISOString(),
  updatedAt: row.updated_at.toISOString(),
});

/** Customers with their balances folded into one jsonb object (numbers: balances are safe integers). */
const customers = (db: Db) =>
  db
    .selectFrom('read.customers as c')
    .selectAll('c')
    .select((eb) =>
      eb.fn
        .coalesce(
          eb
            .selectFrom('read.customer_credit_balances as b')
            .select(sql<Record<string, number>>`jsonb_object_agg(b.currency, b.balance)`.as('credit'))
            .whereRef('b.customer_id', '=', 'c.customer_id'),
          sql<Record<string, number>>`'{}'::jsonb`,
        )
        .as('credit'),
    );

export const getCustomer = async (db: Db, customerId: string): Promise<CustomerView | undefined> => {
  const row = await customers(db).where('c.customer_id', '=', customerId).executeTakeFirst();
  return row && toView(row);
};

export type CustomerFilter = Readonly<{ ownerUserId?: string; after?: string; limit: number }>;

/** Keyset pagination on customer_id (UUIDv7, so creation order). Returns one row more than asked when there are more. */
export const listCustomers = async (db: Db, filter: CustomerFilter): Promise<CustomerView[]> => {
  let query = customers(db).orderBy('c.customer_id').limit(filter.limit + 1);
  if (filter.ownerUserId) query = query.where('c.owner_user_id', '=', filter.ownerUserId);
  if (filter.after) query = query.where('c.customer_id', '>', filter.after);
  return (await query.execute()).map(toView);
};

/** The customer's owner: undefined when there is no such customer, null when it has no owner. */
export const ownerOfCustomer = async (db: Db, customerId: string): Promise<string | null | undefined> => {
  const row = await db
    .selectFrom('read.customers')
    .select('owner_user_id')
    .where('customer_id', '=', customerId)
    .executeTakeFirst();
  return row && row.owner_user_id;
};
