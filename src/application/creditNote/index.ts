export { createCreditNotes, creditNoteInput, CREDIT_NOTE_SERIES, type CreditNotes, type NotedCreditNote } from './commands.js';
export { documentNumberFor, type DocumentNumberTables } from './numbering.js';
export { presentCreditNote } from './present.js';
