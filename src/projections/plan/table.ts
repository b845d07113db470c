import type { ColumnType } from 'kysely';
import type { Int8 } from '../../db/index.js';
import type { PricingModel } from '../../domain/plan/index.js';
import type { BillingInterval } from '../../domain/shared/index.js';

type Instant = ColumnType<Date, Date | string, Date | string>;
type NullableInstant = ColumnType<Date | null, Date | string | null, Date | string | null>;
type Metadata = ColumnType<Readonly<Record<string, string>> | null, string | null, string | null>;

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
  revision: Int8;
  created_at: Instant;
  updated_at: Instant;
};

/** The tables this module owns; src/root/database.ts gathers every module's map into the Database. */
export type PlanTables = {
  'read.plans': PlansTable;
};
