import { sql, type Selectable } from 'kysely';
import type { Db } from '../../db/index.js';
import type { CreditNotesTable } from './table.js';

export type CreditNoteRow = Selectable<CreditNotesTable>;
export type CreditNoteFilter = Readonly<{
  invoiceId?: string;
  customerId?: string;
  /** Only credit notes of customers this USER owns. */
  ownerUserId?: string;
  limit: number;
  after?: Readonly<{ issuedAt: string; creditNoteId: string }>;
}>;

/** Credit notes in (issued_at, credit_note_id) order, `limit + 1` of them. */
export const listCreditNotes = async (db: Db, filter: CreditNoteFilter): Promise<CreditNoteRow[]> => {
  let query = db.selectFrom('read.credit_notes').selectAll();
  if (filter.invoiceId !== undefined) query = query.where('invoice_id', '=', filter.invoiceId);
  if (filter.customerId !== undefined) query = query.where('customer_id', '=', filter.customerId);
  if (filter.ownerUserId !== undefined) {
    const owner = filter.ownerUserId;
    query = query.where('customer_id', 'in', (eb) => eb.selectFrom('read.customers').select('customer_id').where('owner_user_id', '=', owner));
  }
  if (filter.after) query = query.where(sql<boolean>`(issued_at, credit_note_id) > (${filter.after.issuedAt}::timestamptz, ${filter.after.creditNoteId})`);
  return query.orderBy('issued_at').orderBy('credit_note_id').limit(filter.limit + 1).execute();
};
