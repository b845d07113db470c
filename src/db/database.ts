import type { ColumnType, Kysely, Transaction } from 'kysely';
import type { CredentialsTable, RateLimitsTable, RefreshTokensTable } from '../accounts/tables.js';
import type { ContractSubscriptionsTable } from '../cascades/table.js';
import type { NoticesSentTable } from '../collections/noticesSent.js';
import type { SimulatedClockTable } from '../clock/simulatedClock.js';
import type { IdempotencyKeysTable } from '../api/middleware/idempotencyTable.js';
import type { SubscriptionDueTable } from '../billing/due.js';
import type { InvoiceNumberCountersTable, InvoiceNumbersTable } from '../billing/numbering.js';
import type { JobKeysTable } from '../jobs/jobs.js';
import type { SimulatedChargesTable } from '../payments/simulatedGateway.js';
import type { AuditLogTable } from '../projections/audit/table.js';
import type { ProjectionCheckpointsTable } from '../projections/checkpointsTable.js';
import type { ContractsTable } from '../projections/contracts/table.js';
import type {
  CustomerCreditBalancesTable,
  CustomerCreditLedgerTable,
  CustomersTable,
} from '../projections/customers/table.js';
import type { InvoiceLinesTable, InvoicesTable } from '../projections/invoices/table.js';
import type { PaymentInvoicesTable, PaymentsTable } from '../projections/payments/table.js';
import type { PlansTable } from '../projections/plans/table.js';
import type { StreamsTable } from '../projections/streams/table.js';
import type { SubscriptionsTable } from '../projections/subscriptions/table.js';
import type { UsersTable } from '../projections/users/table.js';
import type { SchedulerLeasesTable } from '../scheduler/lease.js';

/**
 * Every table the application queries, one entry each, built from the
 * per-table types that live beside the code that owns each table. Read models
 * add theirs here, and so do the plain auth tables.
 */
export type Database = {
  'clock.simulated': SimulatedClockTable;
  'billing.invoice_number_counters': InvoiceNumberCountersTable;
  'billing.invoice_numbers': InvoiceNumbersTable;
  'billing.subscription_due': SubscriptionDueTable;
  'jobs.job_keys': JobKeysTable;
  'collections.notices_sent': NoticesSentTable;
  'payments.simulated_charges': SimulatedChargesTable;
  'read.projection_checkpoints': ProjectionCheckpointsTable;
  'read.streams': StreamsTable;
  'read.users': UsersTable;
  'read.audit_log': AuditLogTable;
  'read.customers': CustomersTable;
  'read.customer_credit_balances': CustomerCreditBalancesTable;
  'read.customer_credit_ledger': CustomerCreditLedgerTable;
  'read.plans': PlansTable;
  'read.contracts': ContractsTable;
  'read.subscriptions': SubscriptionsTable;
  'read.invoices': InvoicesTable;
  'read.invoice_lines': InvoiceLinesTable;
  'read.payments': PaymentsTable;
  'read.payment_invoices': PaymentInvoicesTable;
  'auth.credentials': CredentialsTable;
  'auth.refresh_tokens': RefreshTokensTable;
  'auth.rate_limits': RateLimitsTable;
  'cascade.contract_subscriptions': ContractSubscriptionsTable;
  'api.idempotency_keys': IdempotencyKeysTable;
  'scheduler.leases': SchedulerLeasesTable;
};

/** Query functions take either the database or a transaction as their first argument. */
export type Db = Kysely<Database> | Transaction<Database>;

/** bigint columns come back from pg as strings; they are written as bigint or string. */
export type Int8 = ColumnType<string, bigint | string | number, bigint | string | number>;
