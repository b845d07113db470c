export { ACCOUNTS, ENTRY_KINDS, type Account, type EntryKind, type LedgerEntry } from './accounts.js';
export { customerEntries, finalisationEntries, invoiceEntries, refundEntries } from './postings.js';
