import type { Instant, Int8, Metadata, NullableInstant } from '../../db/index.js';
import type { PricingModel } from '../../domain/plan/index.js';
import type { BillingInterval } from '../../domain/shared/index.js';


export type PlansTable = {
  plan_id: string;
  name: string;
  description: string | null;
  pricing_model: PricingModel;
  /** Minor units per period (per unit for per_unit). */
  amount: Int8;
  currency: string;
  interval: BillingInterval;
  interval_count: number;
  trial_days: number;
  metadata: Metadata;
  status: 'active' | 'archived';
  archived_at: NullableInstant;
  /** The tax rate its charges are taxed at, unless the customer has one. */
  tax_rate_id: string | null;
  revision: Int8;
  created_at: Instant;
  updated_at: Instant;
};

/** The tables this module owns; src/root/database.ts gathers every module's map into the Database. */
export type PlanTables = {
  'read.plans': PlansTable;
};
