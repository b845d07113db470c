import type { Kysely } from 'kysely';
import type { Database } from '../../db/index.js';
import type { StoreTransaction } from '../../eventstore/index.js';

export type InvoiceNumberCountersTable = { year: number; last: number };
export type InvoiceNumbersTable = { invoice_id: string; year: number; seq: number; assigned_at: Date | string };

const format = (year: number, seq: number) => `${year}-${String(seq).padStart(6, '0')}`;

const UNIQUE_VIOLATION = '23505';

/** Takes `count` numbers of a year at once: the counter row is locked by this statement until its transaction ends. */
const stepCounter = (db: Kysely<Database>, year: number, count: number) =>
  db
    .insertInto('billing.invoice_number_counters')
    .values({ year, last: count })
    .onConflict((oc) => oc.column('year').doUpdateSet((eb) => ({ last: eb('billing.invoice_number_counters.last', '+', count) })))
    .returning('last');

/**
 * The number of an invoice being finalised: `2026-000001`, per year, with no
 * gaps and never twice. The year's counter row is locked by its UPDATE, so
 * concurrent finalisations take numbers one after another; an invoice asking
 * again (a retried finalisation) gets the number it already has, and the
 * counter step of a losing duplicate is rolled back with its transaction.
 * A number is given out once the invoice's finalisation is retried until it is
 * recorded, so none is left unused.
 */
export const invoiceNumberFor = async (db: Kysely<Database>, invoiceId: string, year: number, now: Date): Promise<string> => {
  for (;;) {
    try {
      return await db.transaction().execute(async (trx) => {
        const existing = await trx.selectFrom('billing.invoice_numbers').select(['year', 'seq']).where('invoice_id', '=', invoiceId).executeTakeFirst();
        if (existing) return format(existing.year, existing.seq);
        const { last } = await stepCounter(trx, year, 1).executeTakeFirstOrThrow();
        await trx.insertInto('billing.invoice_numbers').values({ invoice_id: invoiceId, year, seq: last, assigned_at: now }).execute();
        return format(year, last);
      });
    } catch (err) {
      // A concurrent finalisation of the same invoice won: read the number it took.
      if ((err as { code?: string }).code !== UNIQUE_VIOLATION) throw err;
    }
  }
};

/**
 * Numbers for invoices finalised together, inside the transaction that
 * records their finalisation (src/application/billing/billBatch.ts): one step of the
 * year's counter for all of them, so they take consecutive numbers, and a
 * rollback returns them all. An invoice numbered before fails the transaction
 * (a unique violation): the caller bills those one at a time.
 */
export const numbersWithin = async (
  db: Kysely<Database>,
  tx: StoreTransaction,
  invoiceIds: readonly string[],
  year: number,
  now: Date,
): Promise<Map<string, string>> => {
  const numbers = new Map<string, string>();
  if (invoiceIds.length === 0) return numbers;
  const k = invoiceIds.length;
  const step = stepCounter(db, year, k).compile();
  const { rows } = await tx.query(step.sql, step.parameters);
  const first = (rows[0] as { last: number }).last - k + 1;
  const record = db
    .insertInto('billing.invoice_numbers')
    .values(invoiceIds.map((invoice_id, i) => ({ invoice_id, year, seq: first + i, assigned_at: now })))
    .compile();
  await tx.query(record.sql, record.parameters);
  invoiceIds.forEach((id, i) => numbers.set(id, format(year, first + i)));
  return numbers;
};

/** The tables this module owns; src/root/database.ts gathers every module's map into the Database. */
export type InvoiceNumberTables = {
  'billing.invoice_number_counters': InvoiceNumberCountersTable;
  'billing.invoice_numbers': InvoiceNumbersTable;
};
