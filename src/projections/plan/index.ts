export { plansProjection, PLANS_PROJECTION } from './projection.js';
export { getPlan, listPlans, type PlanView, type PlanFilter, type PlanStatus } from './queries.js';
export type { PlansTable } from './table.js';
export type { PlanTables } from './table.js';
