import { type SimulatedClockTable } from '../clock/index.js';
import type { ColumnType, Kysely, Transaction } from 'kysely';
import type { CredentialsTable, RateLimitsTable, RefreshTokensTable } from '../application/auth/tables.js';
import type { ContractSubscriptionsTable } from '../application/contract/cascadesTable.js';
import type { NoticesSentTable } from '../application/collection/noticesSent.js';
import type { IdempotencyKeysTable } from '../api/http/idempotencyTable.js';
import type { SubscriptionDueTable } from '../projections/billing/due.js';
import type { InvoiceNumberCountersTable, InvoiceNumbersTable } from '../application/invoice/numbering.js';
import type { JobKeysTable } from '../jobs/jobs.js';
import type { SimulatedChargesTable } from '../application/payment/simulatedGateway.js';
import type { AuditLogTable } from '../projections/audit/table.js';
import type { ProjectionCheckpointsTable } from '../projections/runtime/checkpointsTable.js';
import type { ContractsTable } from '../projections/contract/table.js';
import type {
  CustomerCreditBalancesTable,
  CustomerCreditLedgerTable,
  CustomersTable,
} from '../projections/customer/table.js';
import type { InvoiceLinesTable, InvoicesTable } from '../projections/invoice/table.js';
import type { PaymentInvoicesTable, PaymentsTable } from '../projections/payment/table.js';
import type { PlansTable } from '../projections/plan/table.js';
import type { StreamsTable } from '../projections/stream/table.js';
import type { SubscriptionsTable } from '../projections/subscription/table.js';
import type { UsersTable } from '../projections/user/table.js';
import type { SchedulerLeasesTable } from '../scheduler/runtime/lease.js';

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
