/**
 * An instance for the scheduler lease tests: one leased trigger that fires
 * every second. Each run records itself in lease_runs (pid, fencing token, and
 * start, last batch and end on the database's clock), then works through
 * lease_work two ids a batch, each batch lingering `batchDelayMs` (so runs
 * last long enough to be found mid-run), for at most `batchesPerRun` batches.
 * It prints `BATCH <fencing> <n>` after each batch and `LOG <level> <message>`
 * for the logger, debug included, so the parent sees skipped firings.
 * SIGTERM stops the scheduler and exits 0. The parent creates both tables.
 * Usage: leaseProcess.ts <databaseUrl> <triggerName> <ttlMs> <batchDelayMs> <batchesPerRun>
 */
import { setTimeout as sleep } from 'node:timers/promises';
import winston from 'winston';
import { createKysely, createPool } from '../../src/db/pool.js';
import { leaseHolderId } from '../../src/scheduler/runtime/lease.js';
import { LeaseLostError, leasedTrigger } from '../../src/scheduler/runtime/leasedTrigger.js';
import { Scheduler } from '../../src/scheduler/runtime/scheduler.js';

const [url, name, ttlMs, batchDelayMs, batchesPerRun] = process.argv.slice(2);
const pool = createPool({ connectionString: url!, max: 4 });
const db = createKysely(pool);
const logger = winston.createLogger({
  level: 'debug',
  format: winston.format.printf(({ level, message }) => `LOG ${level} ${String(message)}`),
  transports: [new winston.transports.Console()],
});

const trigger = leasedTrigger(
  {
    name: name!,
    schedule: '* * * * * *',
    run: async ({ signal, lease, assertHolding }) => {
      const fencing = lease.fencing.toString();
      const { rows } = await pool.query<{ id: number }>(
        'insert into lease_runs (pid, fencing, started_at) values ($1, $2, clock_timestamp()) returning id',
        [process.pid, fencing],
      );
      const runId = rows[0]!.id;
      let outcome = 'stopped';
      try {
        for (let batch = 1; batch <= Number(batchesPerRun); batch++) {
          assertHolding();
          const due = await pool.query<{ id: number }>('select id from lease_work where done_at is null order by id limit 2');
          if (due.rows.length === 0) break;
          // Stands for a batch's work, so that runs outlast the one-second firings the lease must keep apart; the test waits on the BATCH lines and the tables, never on time.
          await sleep(Number(batchDelayMs), undefined, { signal });
          await pool.query('update lease_work set done_at = clock_timestamp(), done_by = $1, fencing = $2 where id = any($3)', [
            process.pid,
            fencing,
            due.rows.map((r) => r.id),
          ]);
          await pool.query('update lease_runs set batches = batches + 1, last_batch_at = clock_timestamp() where id = $1', [runId]);
          process.stdout.write(`BATCH ${fencing} ${batch}\n`);
        }
        outcome = 'finished';
      } catch (err) {
        if (signal.reason instanceof LeaseLostError || err instanceof LeaseLostError) outcome = 'lost';
        throw err;
      } finally {
        await pool.query('update lease_runs set ended_at = clock_timestamp(), outcome = $2 where id = $1', [runId, outcome]);
      }
    },
  },
  { db, logger, holder: leaseHolderId(), ttlMs: Number(ttlMs) },
);

const scheduler = new Scheduler({ logger, triggers: [trigger] });
scheduler.start();
process.stdout.write('STARTED\n');
process.on('SIGTERM', () => {
  void scheduler
    .stop()
    .then(() => db.destroy())
    .then(() => process.exit(0));
});
