export { auditProjection, AUDIT_PROJECTION } from './projection.js';
export { changesOf, type Changes, type FieldChange } from './changes.js';
export type { AuditLogTable } from './table.js';
export { listAudit, type AuditEntry, type AuditFilter } from './queries.js';
export type { AuditTables } from './table.js';
