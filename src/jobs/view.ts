import { sql, type Kysely } from 'kysely';
import type { Database } from '../db/index.js';

/** The states operators know; pg-boss's own are mapped onto them. */
export const JOB_STATES = ['PENDING', 'RUNNING', 'COMPLETED', 'FAILED', 'DEAD'] as const;
export type JobState = (typeof JOB_STATES)[number];

/**
 * pg-boss → the view: `created` waits its first run; `retry` has failed and
 * waits to run again; `failed` has spent its retries (a copy went to the
 * dead-letter queue); a cancelled job will not run either.
 */
const STATE_OF: Record<string, JobState> = {
  created: 'PENDING',
  active: 'RUNNING',
  completed: 'COMPLETED',
  retry: 'FAILED',
  failed: 'DEAD',
  cancelled: 'DEAD',
};
const BOSS_STATES: Record<JobState, string[]> = {
  PENDING: ['created'],
  RUNNING: ['active'],
  COMPLETED: ['completed'],
  FAILED: ['retry'],
  DEAD: ['failed', 'cancelled'],
};

export type JobView = Readonly<{
  jobId: string;
  queue: string;
  state: JobState;
  /** Attempts made, the running one included. */
  attempts: number;
  /** Attempts allowed in all. */
  maxAttempts: number;
  lastError: string | null;
  /** When it runs (again): for PENDING and FAILED jobs. */
  nextRunAt: Date | null;
  createdAt: Date;
  startedAt: Date | null;
  completedAt: Date | null;
  data: unknown;
}>;

type Row = {
  archived: boolean;
  id: string;
  name: string;
  state: string;
  retry_count: number;
  retry_limit: number;
  output: unknown;
  start_after: Date;
  created_on: Date;
  started_on: Date | null;
  completed_on: Date | null;
  data: unknown;
};

/** pg-boss keeps an Error as its fields, anything else thrown (and its own reasons) as `{ value }`. */
const errorOf = (output: unknown): string | null => {
  if (output === null || typeof output !== 'object') return null;
  const o = output as { message?: unknown; value?: unknown };
  const value = o.value as { message?: unknown } | string | undefined;
  const message = o.message ?? (typeof value === 'string' ? value : value?.message);
  return typeof message === 'string' ? message : null;
};

const present = (r: Row): JobView => {
  // pg-boss archives a job that waited past its retention unrun: it never runs.
  const expired = r.archived && (r.state === 'created' || r.state === 'retry' || r.state === 'active');
  const state = expired ? 'DEAD' : (STATE_OF[r.state] ?? 'DEAD');
  return {
    jobId: r.id,
    queue: r.name,
    state,
    // pg-boss counts a job's earlier starts in retry_count when it starts it again.
    attempts: r.started_on === null ? 0 : r.retry_count + 1,
    maxAttempts: r.retry_limit + 1,
    lastError: expired ? 'expired before it ran' : r.state === 'retry' || r.state === 'failed' ? errorOf(r.output) : null,
    nextRunAt: state === 'PENDING' || state === 'FAILED' ? new Date(r.start_after) : null,
    createdAt: new Date(r.created_on),
    startedAt: r.started_on && new Date(r.started_on),
    completedAt: r.completed_on && new Date(r.completed_on),
    data: r.data,
  };
};

/** Live jobs and archived ones: pg-boss moves finished jobs to its archive after a while. */
const ALL = sql`(select false as archived, id, name, state, retry_count, retry_limit, output, start_after, created_on, started_on, completed_on, data from pgboss.job
  union all select true, id, name, state, retry_count, retry_limit, output, start_after, created_on, started_on, completed_on, data from pgboss.archive) j`;

export type JobFilter = Readonly<{ state?: JobState; queue?: string; limit: number }>;

const UNDEFINED_TABLE = '42P01';

/** pg-boss creates its schema when a worker first starts: before that there are no jobs to show. */
const rowsOf = async (query: Promise<{ rows: Row[] }>): Promise<Row[]> => {
  try {
    return (await query).rows;
  } catch (err) {
    if ((err as { code?: string }).code === UNDEFINED_TABLE) return [];
    throw err;
  }
};

/** Newest first. Dead-letter queues' copies are left out unless asked for by name: their originals show as DEAD. */
export const listJobs = async (db: Kysely<Database>, filter: JobFilter): Promise<JobView[]> => {
  const states = filter.state ? BOSS_STATES[filter.state] : null;
  const rows = await rowsOf(sql<Row>`
    select * from ${ALL}
     where (${filter.queue ?? null}::text is null and j.name not like '%.dead' or j.name = ${filter.queue ?? null})
       and (${states}::text[] is null or j.state::text = any(${states}::text[]))
     order by j.created_on desc, j.id
     limit ${filter.limit}`.execute(db));
  return rows.map(present);
};

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export const getJob = async (db: Kysely<Database>, jobId: string): Promise<JobView | undefined> => {
  if (!UUID.test(jobId)) return undefined;
  const rows = await rowsOf(sql<Row>`select * from ${ALL} where j.id = ${jobId}::uuid limit 1`.execute(db));
  return rows[0] && present(rows[0]);
};
