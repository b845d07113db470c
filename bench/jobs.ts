/**
 * The test clock's wait for jobs: how long one count of the jobs due or
 * running takes (`Jobs.busy`, asked at every settle of a simulated clock)
 * with a year of 1,000 subscriptions' completed jobs still in pg-boss's
 * table (5,000 charges and 13,000 notices: completed jobs stay there for
 * hours), with the index of unfinished jobs and, as the baseline of the same
 * run, without it.
 *
 *   npm run bench -- jobs
 *
 * PostgreSQL: DATABASE_URL's server (the user needs CREATEDB), or an embedded
 * one in a temporary directory.
 */
import { randomBytes } from 'node:crypto';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { COLLECTION_QUEUES } from '../src/application/collection/index.js';
import { createDatabase, dropDatabase } from '../src/db/databases.js';
import { EmbeddedPostgres } from '../src/db/embeddedPostgres.js';
import { createPool, withDatabase } from '../src/db/pool.js';
import { createJobs } from '../src/jobs/index.js';
import { createSilentLogger } from '../src/logger/index.js';

const COMPLETED = { charges: 5_000, notices: 13_000 } as const;
const COUNTS = 500;

export const run = async (): Promise<void> => {
  const loadAtStart = os.loadavg();
  const external = process.env.DATABASE_URL;
  const parent = external ? undefined : await mkdtemp(path.join(os.tmpdir(), 'billstream-bench-jobs-'));
  if (parent) await chmod(parent, 0o755);
  const embedded = parent ? new EmbeddedPostgres({ dataDir: path.join(parent, 'postgres'), port: 54_432, durable: false }) : undefined;
  const name = `bench_jobs_${randomBytes(4).toString('hex')}`;
  try {
    const serverUrl = external ?? (await embedded!.start());
    await createDatabase(serverUrl, name);
    const pool = createPool({ connectionString: withDatabase(serverUrl, name), max: 4, applicationName: 'billstream-bench-jobs' });
    const jobs = createJobs({ pool, logger: createSilentLogger() });
    try {
      await jobs.start(COLLECTION_QUEUES);
      for (const [queue, n] of Object.entries(COMPLETED)) {
        await pool.query(
          `insert into pgboss.job (id, name, data, state, started_on, completed_on)
           select gen_random_uuid(), $1, '{}'::jsonb, 'completed', now(), now() from generate_series(1, $2)`,
          [queue, n],
        );
      }
      await pool.query('analyze pgboss.job');
      const names = COLLECTION_QUEUES.map((q) => q.name);
      const timed = async () => {
        for (let i = 0; i < 50; i++) await jobs.busy(names);
        const start = performance.now();
        for (let i = 0; i < COUNTS; i++) await jobs.busy(names);
        return (performance.now() - start) / COUNTS;
      };
      const withIndex = await timed();
      await pool.query('drop index pgboss.job_unfinished');
      const withoutIndex = await timed();
      console.log(
        [
          `The clock's count of jobs due or running (${new Date().toISOString().slice(0, 10)})`,
          `node ${process.version} | ${os.availableParallelism()} CPUs | ${external ? 'DATABASE_URL' : 'embedded PostgreSQL'}`,
          `load average at start: ${loadAtStart.map((l) => l.toFixed(2)).join(' ')}`,
          `${COMPLETED.charges.toLocaleString('en-US')} completed charges and ${COMPLETED.notices.toLocaleString('en-US')} completed notices in the table; ${COUNTS} counts each`,
          '',
          `with the index of unfinished jobs:     ${withIndex.toFixed(2)} ms a count`,
          `baseline, the same run, without it:    ${withoutIndex.toFixed(2)} ms a count`,
        ].join('\n'),
      );
    } finally {
      await jobs.stop(1_000);
      await pool.end();
      await dropDatabase(serverUrl, name).catch(() => undefined);
    }
  } finally {
    await embedded?.stop();
    if (parent) await rm(parent, { recursive: true, force: true });
  }
};
