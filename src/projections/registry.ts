import { billingDueProjection } from '../billing/due.js';
import type { Projection } from './projection.js';
import { auditProjection } from './audit/index.js';
import { contractsProjection } from './contracts/index.js';
import { customersProjection } from './customers/index.js';
import { invoicesProjection } from './invoices/index.js';
import { paymentsProjection } from './payments/index.js';
import { plansProjection } from './plans/index.js';
import { streamsProjection } from './streams/index.js';
import { subscriptionsProjection } from './subscriptions/index.js';
import { usersProjection } from './users/index.js';

/** Every read model the process runs. Read-model folders add themselves here. */
export const allProjections = (): readonly Projection[] => [
  streamsProjection,
  usersProjection,
  auditProjection,
  customersProjection,
  plansProjection,
  contractsProjection,
  subscriptionsProjection,
  invoicesProjection,
  paymentsProjection,
  billingDueProjection,
];
