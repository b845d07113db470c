import { sql, type Kysely } from 'kysely';

/**
 * Collections sees the whole history again, once. Before this version, a
 * voided invoice gave back nothing of the customer's credit applied to it;
 * collections now gives it back on InvoiceVoided, and the ledger's clearing
 * for such an invoice waits for that grant. Its checkpoint goes back to the
 * start: every command it sends has a commandId derived from what it is for,
 * and every job a key, so the replay repeats none, and does what is new for
 * old events (the credit of an old void given back) once.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    update read.projection_checkpoints
       set commit = null, prepare = null, events_applied = 0, updated_at = now()
     where name = 'process:collections'`.execute(db);
}

export async function down(): Promise<void> {
  // Nothing to undo: a replay repeats nothing.
}
