import type { Kysely } from 'kysely';
import type { Database } from '../../db/index.js';

export type DocumentNumberCountersTable = { series: string; year: number; last: number };
export type DocumentNumbersTable = { series: string; document_id: string; year: number; seq: number; assigned_at: Date | string };

const UNIQUE_VIOLATION = '23505';

/**
 * The number of a document of a series (`CN`: credit notes): `CN-2026-000001`,
 * per year, with no gaps and never twice, as invoices are numbered: the
 * year's counter row is locked by its UPDATE, so concurrent documents take
 * numbers one after another; a document asking again gets the number it has.
 * The caller records the number (in the document's stream) and retries until
 * it has, so none is left unused.
 */
export const documentNumberFor = async (db: Kysely<Database>, series: string, documentId: string, year: number, now: Date): Promise<string> => {
  const format = (y: number, seq: number) => `${series}-${y}-${String(seq).padStart(6, '0')}`;
  for (;;) {
    try {
      return await db.transaction().execute(async (trx) => {
        const existing = await trx
          .selectFrom('billing.document_numbers')
          .select(['year', 'seq'])
          .where('series', '=', series)
          .where('document_id', '=', documentId)
          .executeTakeFirst();
        if (existing) return format(existing.year, existing.seq);
        const { last } = await trx
          .insertInto('billing.document_number_counters')
          .values({ series, year, last: 1 })
          .onConflict((oc) => oc.columns(['series', 'year']).doUpdateSet((eb) => ({ last: eb('billing.document_number_counters.last', '+', 1) })))
          .returning('last')
          .executeTakeFirstOrThrow();
        await trx.insertInto('billing.document_numbers').values({ series, document_id: documentId, year, seq: last, assigned_at: now }).execute();
        return format(year, last);
      });
    } catch (err) {
      // A concurrent numbering of the same document won: read the number it took.
      if ((err as { code?: string }).code !== UNIQUE_VIOLATION) throw err;
    }
  }
};

/** The tables this module owns; src/root/database.ts gathers every module's map into the Database. */
export type DocumentNumberTables = {
  'billing.document_number_counters': DocumentNumberCountersTable;
  'billing.document_numbers': DocumentNumbersTable;
};
