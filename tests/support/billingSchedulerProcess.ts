/**
 * A scheduler instance for the multi-process billing test
 * (tests/billing/schedulerProcesses.int.test.ts): the real billing-run trigger
 * from billingTriggers(...), under the real leasedTrigger, firing every second.
 *
 * There is no shared clock object between processes: simulated time is the row
 * of `sim_clock`, which the test writes. Each run reads it once, when it starts
 * (after taking the lease), and the trigger's clock answers that instant for
 * the whole run (Clock.now() is synchronous). Each run records itself in
 * `billing_runs` (pid, fencing token, simulated instant, times it asked whether it may go on (`batches`), start and
 * end on the database's clock).
 *
 * The crash point: in a run at the instant `crashAt`, once its third batch has
 * begun, the next batch appends it makes (the second batch's, still being
 * written, or the third's: invoices created and finalised, numbers taken, all
 * in the batch's transaction, not yet committed) stop the run there for
 * good, if this process is the first to claim the point in `crash_point`: it
 * prints `CRASH_POINT <fencing> <an invoice stream of the batch>` and waits,
 * its transaction open and still holding its lease, for the parent's SIGKILL.
 * The test creates all three tables.
 *
 * Stdout, a line each: `STARTED <pid>`, `RUN <fencing> <instant>`,
 * `CRASH_POINT …`, `END <fencing> <outcome>`, and `LOG <level> <message>
 * <meta>` for warnings and errors. SIGTERM stops the scheduler (waiting for a
 * run in progress) and exits 0.
 * Usage: billingSchedulerProcess.ts <databaseUrl> <ttlMs> <batchSize> <crashAt>
 */
import winston from 'winston';
import { createBilling } from '../../src/application/billing/billSubscription.js';
import { billingTriggers } from '../../src/scheduler/billing/triggers.js';
import { createKysely, createPool } from '../../src/db/pool.js';
import { createPostgresEventStore, type EventStore } from '../../src/eventstore/index.js';
import { leaseHolderId } from '../../src/scheduler/runtime/lease.js';
import { leasedTrigger, type LeasedRun } from '../../src/scheduler/runtime/leasedTrigger.js';
import { Scheduler } from '../../src/scheduler/runtime/scheduler.js';

const [url, ttlMs, batchSize, crashAt] = process.argv.slice(2);
const EVERY_SECOND = '* * * * * *';

const pool = createPool({ connectionString: url!, max: 6 });
const db = createKysely(pool);
const store = createPostgresEventStore({ pool });
const logger = winston.createLogger({
  level: 'warn',
  format: winston.format.printf(({ level, message, ...meta }) => `LOG ${level} ${String(message)} ${JSON.stringify(meta)}`),
  transports: [new winston.transports.Console()],
});
const print = (line: string) => process.stdout.write(`${line}\n`);

/** The run in progress: its simulated instant (read from sim_clock when it starts), its token, how often it asked whether it may go on. */
let simulatedNow = new Date(0);
let runFencing = '';
let runBatches = 0;
const clock = { now: () => simulatedNow };

const claimCrashPoint = async (): Promise<boolean> =>
  (await pool.query('insert into crash_point (id, pid, fencing) values (1, $1, $2) on conflict do nothing', [process.pid, runFencing])).rowCount === 1;

/** The store billing writes through: it stops the run at the crash point, inside a batch's transaction, its appends made. */
const batch = store.batch!;
const crashingStore: EventStore = {
  ...store,
  batch: {
    readStreams: (names) => batch.readStreams(names),
    transaction: (work) =>
      batch.transaction((tx) =>
        work({
          ...tx,
          append: async (appends) => {
            await tx.append(appends);
            const created = appends.find((a) => a.events.some((e) => e.type === 'InvoiceCreated'));
            // The fifth question is the third batch's first: by then the first batch has committed (the second began writing after it).
            const atCrashPoint = simulatedNow.toISOString() === crashAt && runBatches >= 5 && created !== undefined;
            // Claimed on another connection: this transaction is lost with the process.
            if (atCrashPoint && (await claimCrashPoint())) {
              print(`CRASH_POINT ${runFencing} ${created.streamName}`);
              await new Promise<never>(() => {});
            }
          },
        }),
      ),
  },
};
const billing = createBilling({ store: crashingStore, db, clock });
const billingRun = billingTriggers({ db, store, clock, billing, logger, batchSize: Number(batchSize), schedules: { 'billing-run': EVERY_SECOND } }).find(
  (t) => t.name === 'billing-run',
)!;

const trigger = leasedTrigger(
  {
    name: billingRun.name,
    schedule: billingRun.schedule,
    run: async (run: LeasedRun) => {
      runFencing = run.lease.fencing.toString();
      runBatches = 0;
      const { rows } = await pool.query<{ now: Date }>('select now from sim_clock');
      simulatedNow = new Date(rows[0]!.now);
      const { rows: inserted } = await pool.query<{ id: number }>(
        'insert into billing_runs (pid, fencing, sim_now, started_at) values ($1, $2, $3, clock_timestamp()) returning id',
        [process.pid, runFencing, simulatedNow],
      );
      print(`RUN ${runFencing} ${simulatedNow.toISOString()}`);
      // The billing run asks whether it may go on before it reads each batch and again before it writes it: counted here.
      const stillHolding = () => {
        const holding = run.stillHolding();
        if (holding) runBatches += 1;
        return holding;
      };
      let outcome = 'failed';
      try {
        await billingRun.run({ ...run, stillHolding });
        outcome = run.stillHolding() ? 'finished' : 'lost';
      } finally {
        await pool.query('update billing_runs set ended_at = clock_timestamp(), batches = $2, outcome = $3 where id = $1', [
          inserted[0]!.id,
          runBatches,
          outcome,
        ]);
        print(`END ${runFencing} ${outcome}`);
      }
    },
  },
  { db, logger, holder: leaseHolderId(), ttlMs: Number(ttlMs) },
);

const scheduler = new Scheduler({ logger, triggers: [trigger] });
scheduler.start();
print(`STARTED ${process.pid}`);
process.on('SIGTERM', () => {
  void scheduler
    .stop()
    .then(() => store.close())
    .then(() => db.destroy())
    .then(() => process.exit(0));
});
