export { ledgerProjection, LEDGER_PROJECTION } from './projection.js';
export { accountBalances, listEntries, openClearings, totalsByCurrency, type AccountBalance, type EntryFilter, type EntryKey, type EntryView } from './queries.js';
export type { LedgerTables } from './table.js';
