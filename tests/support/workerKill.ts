import { afterAll, beforeAll } from 'vitest';
import { COLLECTION_QUEUES } from '../../src/application/collection/index.js';
import { createPostgresEventStore, type PostgresEventStore } from '../../src/eventstore/index.js';
import { createJobs } from '../../src/jobs/jobs.js';
import { createSilentLogger } from '../../src/logger/index.js';
import { createTestDatabase, type TestDatabase } from './db.js';
import { abortStatementsOfLostClients, openLockBarrier, type LockBarrier } from './lockBarrier.js';
import { workerProcesses } from './workerProcess.js';

/**
 * What the tests that SIGKILL a worker process mid-job share: a database
 * whose server aborts a dead client's statement, the store, worker processes
 * to start, lock barriers to stop them where wanted (released at the end),
 * and a job's expiry brought forward as pg-boss would reach it. Registers the
 * file's beforeAll/afterAll; read the fields inside tests.
 */
export const onWorkerKill = () => {
  const state = {} as { database: TestDatabase; store: PostgresEventStore; workers: Awaited<ReturnType<typeof workerProcesses>> };
  const barriers: LockBarrier[] = [];

  beforeAll(async () => {
    state.database = await createTestDatabase({ poolSize: 6 });
    await abortStatementsOfLostClients(state.database.pool, state.database.url);
    state.store = createPostgresEventStore({ pool: state.database.pool });
    state.workers = await workerProcesses(state.database.url);
  });
  afterAll(async () => {
    await state.workers?.close();
    for (const barrier of barriers) await barrier.release();
    await state.store?.close();
    await state.database?.close();
  });

  return {
    get database() {
      return state.database;
    },
    get store() {
      return state.store;
    },
    get workers() {
      return state.workers;
    },
    barrier: async () => {
      const opened = await openLockBarrier(state.database.pool);
      barriers.push(opened);
      return opened;
    },
    /** The dead worker's job expires: its start moved back by expire_in, then pg-boss's maintenance, as a running instance does it every minute. */
    expire: async (jobId: string) => {
      await state.database.pool.query(`update pgboss.job set started_on = started_on - expire_in - interval '1 second' where id = $1`, [jobId]);
      const maintenance = createJobs({ pool: state.database.pool, logger: createSilentLogger() });
      await maintenance.start(COLLECTION_QUEUES);
      await maintenance.maintain();
      await maintenance.stop(1_000);
    },
    /** Its retry's backoff passes. */
    retryNow: (jobId: string) => state.database.pool.query(`update pgboss.job set start_after = now() where id = $1 and state = 'retry'`, [jobId]),
  };
};
