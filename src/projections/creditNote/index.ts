export { creditNotesProjection, CREDIT_NOTES_PROJECTION } from './projection.js';
export { listCreditNotes, type CreditNoteFilter, type CreditNoteRow } from './queries.js';
export type { CreditNoteTables } from './table.js';
