export type { LeaseTables } from './lease.js';
export { acquireLease, releaseLease, renewLease, leaseHolderId, DEFAULT_LEASE_TTL_MS, type Lease, type SchedulerLeasesTable } from './lease.js';
export { leasedTrigger, LeaseLostError, type LeasedRun, type LeasedTrigger, type LeaseLossReason, type TriggerLeaseOptions } from './leasedTrigger.js';
export { Scheduler, type SchedulerOptions, type Trigger } from './scheduler.js';
export { sweepTrigger, type SweepOptions } from './sweep.js';
export { dueRows, dueWhenOf, type DueQuery, type DueWhen } from './dueRows.js';
