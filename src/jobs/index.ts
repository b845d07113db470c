export type { JobTables } from './jobs.js';
export { createJobs, type JobContext, type Jobs, type QueueSpec } from './jobs.js';
export { JOB_STATES, getJob, listJobs, type JobState, type JobView } from './view.js';
