/**
 * The billing benchmark's pieces (bench/billing.ts): a fresh database with N
 * due subscriptions written through the event store, the billing run and its
 * rerun timed with the app's own code, and a baseline on the same database.
 */
import { randomUUID } from 'node:crypto';
import pLimit from 'p-limit';
import { createBilling } from '../../src/application/billing/billSubscription.js';
import { runBilling, type BillingRunResult } from '../../src/application/billing/billingRun.js';
import { BILLING_DUE_PROJECTION, billingDueProjection } from '../../src/projections/billing/due.js';
import { createDatabase } from '../../src/db/databases.js';
import { migrateToLatest } from '../../src/db/migrate.js';
import { createKysely, createPool, withDatabase } from '../../src/db/pool.js';
import { customerDecider, customerStreamName } from '../../src/domain/customer/index.js';
import { subscriptionDecider, subscriptionStreamName, type PlanAtCommand } from '../../src/domain/subscription/index.js';
import { appendDecided, comparePositions, createPostgresEventStore, type Position } from '../../src/eventstore/index.js';
import { createSilentLogger } from '../../src/logger/index.js';
import { ProjectionRunner } from '../../src/projections/runtime/index.js';

/** As the app's default DATABASE_POOL_SIZE. */
export const POOL_SIZE = 20;
/** Appends in flight during setup. */
export const SETUP_CONCURRENCY = 32;
/** runBilling's default concurrency: the baseline reads with the run's. */
export const BASELINE_CONCURRENCY = 8;

const DAY = 86_400_000;
/** Anchors spread evenly over the first 28 days of January 2026, so no monthly period is clamped and only period 0 is due by UNTIL. */
const FIRST_ANCHOR = Date.UTC(2026, 0, 1);
const SPREAD = 28 * DAY;
/** Just after the last anchor: each subscription has exactly its first period due (the next starts on 1 February at the earliest). */
export const UNTIL = new Date(FIRST_ANCHOR + SPREAD + 60_000);

const origin = { actor: { id: 'system:bench' }, source: 'bench', correlationId: 'billing-bench' };

const PLAN: PlanAtCommand = {
  planId: 'pln_bench',
  status: 'active',
  pricingModel: 'per_unit',
  amount: 1_000,
  currency: 'usd',
  interval: 'month',
  intervalCount: 1,
  trialDays: 0,
};

export const elapsed = (start: bigint): number => Number(process.hrtime.bigint() - start) / 1e9;

export type BillingBenchResult = Readonly<{
  n: number;
  appendSeconds: number;
  projectionSeconds: number;
  setupSeconds: number;
  run: BillingRunResult;
  runSeconds: number;
  rerun: BillingRunResult;
  rerunSeconds: number;
  /** The run again once every subscription is made due again (as after a rebuild of billing_due): it must bill nothing. */
  recheck: BillingRunResult;
  recheckSeconds: number;
  baselineSeconds: number;
  events: number;
}>;

const max = (a: Position | undefined, b: Position) => (a === undefined || comparePositions(a, b) < 0 ? b : a);

/**
 * On a fresh database `name` on the server: N subscriptions (each with its own
 * customer) appended through the store, the billing_due projection run until
 * caught up, then the baseline, the billing run and its rerun.
 */
export const measureBilling = async (
  serverUrl: string,
  name: string,
  n: number,
  log: (line: string) => void,
  /** runBilling's concurrency; its default when undefined. */
  concurrency?: number,
): Promise<BillingBenchResult> => {
  await createDatabase(serverUrl, name);
  const pool = createPool({ connectionString: withDatabase(serverUrl, name), max: POOL_SIZE, applicationName: 'billstream-bench-billing' });
  const db = createKysely(pool);
  const store = createPostgresEventStore({ pool, connectionString: withDatabase(serverUrl, name) });
  const runner = new ProjectionRunner({ db, store, logger: createSilentLogger(), projections: [billingDueProjection] });
  try {
    await migrateToLatest(db);
    await store.start();

    // Setup, 1: the customers and subscriptions, as the commands would write them (decided by the deciders, appended with the command metadata).
    log(`N=${n}: appending ${n} customers and ${n} subscriptions, ${SETUP_CONCURRENCY} appends at once`);
    const setupStart = process.hrtime.bigint();
    const limit = pLimit(SETUP_CONCURRENCY);
    const ids: string[] = new Array<string>(n);
    let last: Position | undefined;
    let done = 0;
    const tag = randomUUID().replaceAll('-', '').slice(0, 12);
    await Promise.all(
      Array.from({ length: n }, (_, i) =>
        limit(async () => {
          const at = new Date(FIRST_ANCHOR + Math.floor((i * SPREAD) / n)).toISOString();
          const context = { correlationId: randomUUID(), actor: { id: 'usr_bench' }, source: 'bench', occurredAt: new Date(at) };
          const customerId = `cus_${tag}${String(i).padStart(7, '0')}`;
          const subscriptionId = `sub_${tag}${String(i).padStart(7, '0')}`;
          ids[i] = subscriptionId;
          const registered = customerDecider.decide(
            { type: 'RegisterCustomer', data: { customerId, name: 'Bench Ltd', email: `billing${i}@bench.example`, now: at } },
            customerDecider.initialState(),
          );
          await appendDecided(store, customerStreamName(customerId), registered, 'no_stream', context);
          const created = subscriptionDecider.decide(
            {
              type: 'CreateSubscription',
              data: { subscriptionId, contract: { contractId: `ctr_${tag}${i}`, customerId, status: 'ACTIVE' }, plan: PLAN, quantity: 1, now: at },
            },
            subscriptionDecider.initialState(),
          );
          const result = await appendDecided(store, subscriptionStreamName(subscriptionId), created, 'no_stream', context);
          last = max(last, result.position);
          if (++done % 10_000 === 0) log(`  ${done} appended, ${elapsed(setupStart).toFixed(1)} s`);
        }),
      ),
    );
    const appendSeconds = elapsed(setupStart);

    // Setup, 2: the billing_due read model, caught up.
    log(`N=${n}: appended in ${appendSeconds.toFixed(1)} s; running the ${BILLING_DUE_PROJECTION} projection until it has caught up`);
    const projectionStart = process.hrtime.bigint();
    runner.start();
    if (!(await runner.waitFor([BILLING_DUE_PROJECTION], last!, 30 * 60_000))) throw new Error('billing_due did not catch up');
    await runner.stop();
    const projectionSeconds = elapsed(projectionStart);
    const setupSeconds = elapsed(setupStart);
    const dueRows = await db.selectFrom('billing.subscription_due').select((eb) => eb.fn.countAll<string>().as('c')).where('due_at', '<=', UNTIL).executeTakeFirstOrThrow();
    log(`N=${n}: projection caught up in ${projectionSeconds.toFixed(1)} s; ${dueRows.c} subscriptions due by ${UNTIL.toISOString()}`);

    // Baseline: each subscription stream read once, with runBilling's concurrency: the floor of any per-subscription billing.
    const readConcurrency = concurrency ?? BASELINE_CONCURRENCY;
    log(`N=${n}: baseline: reading the ${n} subscription streams, ${readConcurrency} at once`);
    const readLimit = pLimit(readConcurrency);
    const baselineStart = process.hrtime.bigint();
    await Promise.all(ids.map((id) => readLimit(() => store.readStream(subscriptionStreamName(id)))));
    const baselineSeconds = elapsed(baselineStart);

    // The billing run, with runBilling's default options, and an immediate rerun.
    const billing = createBilling({ store, db, clock: { now: () => UNTIL } });
    const options = concurrency === undefined ? { origin } : { origin, concurrency };
    log(`N=${n}: billing run (default batchSize, concurrency ${concurrency ?? 'default'})`);
    const runStart = process.hrtime.bigint();
    const run = await runBilling({ db, billing }, UNTIL, options);
    const runSeconds = elapsed(runStart);
    log(`N=${n}: billed ${run.subscriptions} subscriptions, ${run.invoices} invoices, ${run.failures.length} failures in ${runSeconds.toFixed(1)} s; rerun`);
    const rerunStart = process.hrtime.bigint();
    const rerun = await runBilling({ db, billing }, UNTIL, options);
    const rerunSeconds = elapsed(rerunStart);
    // The harder no-op: every subscription due again, as after a rebuild of billing_due; each is read and found billed.
    await pool.query('update billing.subscription_due set due_at = $1', [new Date(FIRST_ANCHOR)]);
    log(`N=${n}: every subscription due again; recheck`);
    const recheckStart = process.hrtime.bigint();
    const recheck = await runBilling({ db, billing }, UNTIL, options);
    const recheckSeconds = elapsed(recheckStart);
    const { rows } = await pool.query<{ c: string }>('select count(*) as c from es.events');
    return {
      n,
      appendSeconds,
      projectionSeconds,
      setupSeconds,
      run,
      runSeconds,
      rerun,
      rerunSeconds,
      recheck,
      recheckSeconds,
      baselineSeconds,
      events: Number(rows[0]!.c),
    };
  } finally {
    await runner.stop().catch(() => undefined);
    await store.close().catch(() => undefined);
    await db.destroy().catch(() => undefined);
  }
};
