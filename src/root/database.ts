import { type AuthTables } from '../application/auth/index.js';
import type { ApiKeyTables } from '../application/apiKey/index.js';
import type { NoticeSentTables } from '../application/collection/index.js';
import type { ContractCascadeTables } from '../application/contract/index.js';
import type { InvoiceNumberTables } from '../application/invoice/index.js';
import type { DocumentNumberTables } from '../application/creditNote/index.js';
import type { CreditNoteTables } from '../projections/creditNote/index.js';
import type { RefundTables } from '../projections/refund/index.js';
import type { SimulatedChargeTables } from '../application/payment/index.js';
import type { IdempotencyTables } from '../api/http/index.js';
import type { ClockTables } from '../clock/index.js';
import type { JobTables } from '../jobs/index.js';
import type { AuditTables } from '../projections/audit/index.js';
import type { BillingDueTables } from '../projections/billing/index.js';
import type { ContractTables } from '../projections/contract/index.js';
import type { CustomerTables } from '../projections/customer/index.js';
import type { InvoiceTables } from '../projections/invoice/index.js';
import type { LedgerTables } from '../projections/ledger/index.js';
import type { PaymentTables } from '../projections/payment/index.js';
import type { PlanTables } from '../projections/plan/index.js';
import type { CheckpointTables } from '../projections/runtime/index.js';
import type { StreamTables } from '../projections/stream/index.js';
import type { SubscriptionTables } from '../projections/subscription/index.js';
import type { UserTables } from '../projections/user/index.js';
import type { WebhookTables } from '../projections/webhook/index.js';
import type { LeaseTables } from '../scheduler/runtime/index.js';

/**
 * Every table of the application, gathered from the table map each module
 * declares beside the code that owns its tables. A new table map is added
 * here, and nowhere else.
 */
export type Tables = ClockTables &
  JobTables &
  LeaseTables &
  IdempotencyTables &
  CheckpointTables &
  StreamTables &
  UserTables &
  AuditTables &
  CustomerTables &
  PlanTables &
  ContractTables &
  SubscriptionTables &
  InvoiceTables &
  PaymentTables &
  LedgerTables &
  BillingDueTables &
  AuthTables &
  ApiKeyTables &
  WebhookTables &
  ContractCascadeTables &
  InvoiceNumberTables &
  DocumentNumberTables &
  CreditNoteTables &
  RefundTables &
  NoticeSentTables &
  SimulatedChargeTables;

/*
 * The database foundation declares `Database` empty, so that query functions
 * import only it; the gathered tables fill it here. Nothing this file imports
 * imports it back.
 */
declare module '../db/index.js' {
  // eslint-disable-next-line @typescript-eslint/no-empty-object-type
  interface Database extends Tables {}
}

export type { Database } from '../db/index.js';
