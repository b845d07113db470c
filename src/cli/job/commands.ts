import { print, type Open } from '../shared/index.js';
import { type Command, InvalidArgumentError } from 'commander';
import { createJobs, getJob, JOB_STATES, type JobState, type JobView, listJobs } from '../../jobs/index.js';


const stateArg = (value: string): JobState => {
  const state = value.toUpperCase();
  if (!(JOB_STATES as readonly string[]).includes(state)) throw new InvalidArgumentError(`one of ${JOB_STATES.join(', ')}`);
  return state as JobState;
};
const limitArg = (value: string): number => {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 1000) throw new InvalidArgumentError('a whole number from 1 to 1000');
  return n;
};

const lineOf = (j: JobView): string =>
  [
    j.jobId,
    j.queue,
    j.state,
    `attempts ${j.attempts}/${j.maxAttempts}`,
    ...(j.nextRunAt ? [`next ${j.nextRunAt.toISOString()}`] : []),
    ...(j.lastError ? [`error: ${j.lastError}`] : []),
  ].join('  ');

/**
 * `billstream jobs list|show|retry`: the side effects queued in pg-boss, in
 * the states operators know (PENDING, RUNNING, COMPLETED, FAILED, DEAD), and a
 * dead job sent back to run once more.
 */
export const registerJobCommands = (program: Command, open: Open): void => {
  const jobs = program.command('jobs').description('the job queue: side effects such as charges and notices');

  jobs
    .command('list')
    .description('newest first; a dead-letter queue only when named with --queue')
    .option('--state <state>', `one of ${JOB_STATES.join(', ')}`, stateArg)
    .option('--queue <queue>', 'one queue')
    .option('--limit <n>', 'at most this many (default 50)', limitArg, 50)
    .action((options: { state?: JobState; queue?: string; limit: number }) =>
      open(async ({ db }) => {
        const rows = await listJobs(db, options);
        if (rows.length === 0) print('no jobs');
        for (const row of rows) print(lineOf(row));
      }),
    );

  jobs
    .command('show <jobId>')
    .description('one job, with its data, attempts, last error and next run')
    .action((jobId: string) =>
      open(async ({ db }) => {
        const job = await getJob(db, jobId);
        if (!job) throw new Error(`no job ${jobId}`);
        print(JSON.stringify(job, null, 2));
      }),
    );

  jobs
    .command('retry <jobId>')
    .description('runs a DEAD job again, with one more attempt allowed')
    .action((jobId: string) =>
      open(async ({ db, pool, logger }) => {
        const job = await getJob(db, jobId);
        if (!job) throw new Error(`no job ${jobId}`);
        if (job.state !== 'DEAD') throw new Error(`job ${jobId} is ${job.state}; only a DEAD job is retried`);
        const queue = createJobs({ pool, logger });
        await queue.start([]);
        try {
          await queue.retry(job.queue, jobId);
        } finally {
          await queue.stop(1_000);
        }
        const after = await getJob(db, jobId);
        print(`retried ${jobId} (${job.queue}): runs again now, ${after?.maxAttempts ?? '?'} attempts allowed`);
      }),
    );
};
