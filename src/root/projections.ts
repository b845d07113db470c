import { billingDueProjection } from '../projections/billing/index.js';
import type { Projection } from '../projections/runtime/index.js';
import { auditProjection } from '../projections/audit/index.js';
import { contractsProjection } from '../projections/contract/index.js';
import { customersProjection } from '../projections/customer/index.js';
import { invoicesProjection } from '../projections/invoice/index.js';
import { ledgerProjection } from '../projections/ledger/index.js';
import { creditNotesProjection } from '../projections/creditNote/index.js';
import { refundsProjection } from '../projections/refund/index.js';
import { paymentsProjection } from '../projections/payment/index.js';
import { plansProjection } from '../projections/plan/index.js';
import { streamsProjection } from '../projections/stream/index.js';
import { subscriptionsProjection } from '../projections/subscription/index.js';
import { usersProjection } from '../projections/user/index.js';
import { webhooksProjection } from '../projections/webhook/index.js';

/** What a projection tells the rest of the process after it commits. */
export type ProjectionHooks = Readonly<{ webhooksTouched?: (endpointIds: ReadonlySet<string>) => Promise<unknown> }>;

/** Every read model the process runs. Read-model folders add themselves here. */
export const allProjections = (hooks: ProjectionHooks = {}): readonly Projection[] => [
  streamsProjection,
  usersProjection,
  auditProjection,
  customersProjection,
  plansProjection,
  contractsProjection,
  subscriptionsProjection,
  invoicesProjection,
  paymentsProjection,
  ledgerProjection,
  creditNotesProjection,
  refundsProjection,
  billingDueProjection,
  webhooksProjection(async (endpointIds) => void (await hooks.webhooksTouched?.(endpointIds))),
];
