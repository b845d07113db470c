export { refundsProjection, REFUNDS_PROJECTION } from './projection.js';
export { listRefunds, type RefundFilter, type RefundRow } from './queries.js';
export type { RefundTables } from './table.js';
