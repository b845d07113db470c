import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { sql, type RawBuilder } from 'kysely';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { BILLING_DUE_PROJECTION, billingDueProjection } from '../../src/projections/billing/due.js';
import { customerDecider, customerStreamName } from '../../src/domain/customer/index.js';
import { subscriptionDecider, subscriptionStreamName } from '../../src/domain/subscription/index.js';
import { createPostgresEventStore, handleCommand, type PostgresEventStore, type Position } from '../../src/eventstore/index.js';
import { createSilentLogger } from '../../src/logger/index.js';
import { ProjectionRunner } from '../../src/projections/runtime/index.js';
import { plan } from '../domain/billingFixtures.js';
import { createTestDatabase, type TestDatabase } from '../support/db.js';

/**
 * Exactly-once billing across scheduler processes: three child processes on
 * one database, each running the real billing-run trigger under its lease
 * every second, bill 80 subscriptions over 16 simulated months; the lease
 * holder is SIGKILLed in the middle of a run (in its third batch, inside the
 * batch's transaction: invoices appended and numbered, not committed) and
 * replaced by a fresh process. Simulated time is the row of sim_clock, written here and read by
 * each run when it starts.
 */
const script = fileURLToPath(new URL('../support/billingSchedulerProcess.ts', import.meta.url));
const TTL_MS = 1_500;
/** Small batches: a run over the month's subscriptions takes many, so a kill at the third lands mid-run. */
const BATCH_SIZE = 3;
const DAY_MS = 86_400_000;

const lastDayOf = (year: number, month: number) => new Date(Date.UTC(year, month + 1, 0)).getUTCDate();

/** The simulated instants, month by month: the 30th (or the month's last day) at 06:00, from February 2026 to May 2027. */
const STEPS = Array.from({ length: 16 }, (_, k) => new Date(Date.UTC(2026, 1 + k, Math.min(30, lastDayOf(2026 + Math.floor((1 + k) / 12), (1 + k) % 12)), 6)));
/** The step during which the lease holder is killed. */
const KILL_STEP = 8;

type Subscription = Readonly<{ subscriptionId: string; createdAt: Date; trialDays: number; months: number }>;

/**
 * ~80 subscriptions: created on the 28th to the 31st of January (some of March)
 * at varied hours and minutes; every 8th with a trial of 3, 14 or 30 days;
 * every 10th yearly, another 10th quarterly, the rest monthly.
 */
const SPECS = Array.from({ length: 80 }, (_, i) => {
  const month = i % 5 === 4 ? 2 : 0;
  const createdAt = new Date(Date.UTC(2026, month, 28 + (i % 4), (i * 7) % 24, (i * 13) % 60));
  const trialDays = i % 8 === 5 ? [3, 14, 30][i % 3]! : 0;
  const months = i % 10 === 3 ? 12 : i % 10 === 6 ? 3 : 1;
  return { createdAt, trialDays, months };
});

/**
 * Independently of the engine: the starts of the periods a subscription has
 * begun by `until`. Paid periods are anchored at the trial's end (creation plus
 * whole days) or at creation; period n starts `n × months` calendar months
 * after the anchor, on the anchor's day clamped to the month's last day and at
 * the anchor's time, never stepped from the previous start.
 */
const periodStartsBy = (s: Subscription, until: Date): string[] => {
  const anchor = new Date(s.createdAt.getTime() + s.trialDays * DAY_MS);
  const starts: string[] = [];
  for (let n = 0; ; n++) {
    const monthIndex = anchor.getUTCMonth() + n * s.months;
    const year = anchor.getUTCFullYear() + Math.floor(monthIndex / 12);
    const month = monthIndex % 12;
    const start = new Date(
      Date.UTC(year, month, Math.min(anchor.getUTCDate(), lastDayOf(year, month)), anchor.getUTCHours(), anchor.getUTCMinutes(), anchor.getUTCSeconds()),
    );
    if (start.getTime() > until.getTime()) return starts;
    starts.push(start.toISOString());
  }
};

let database: TestDatabase;
let store: PostgresEventStore;
let runner: ProjectionRunner;
const subscriptions: Subscription[] = [];
const context = (at: Date) => ({ correlationId: randomUUID(), actor: { id: 'usr_test' }, source: 'api', occurredAt: at });

beforeAll(async () => {
  database = await createTestDatabase();
  await sql`create table sim_clock (now timestamptz not null)`.execute(database.db);
  await sql`insert into sim_clock (now) values ('2026-01-01T00:00:00Z')`.execute(database.db);
  await sql`create table crash_point (id integer primary key, pid integer not null, fencing bigint not null)`.execute(database.db);
  await sql`
    create table billing_runs (
      id serial primary key, pid integer not null, fencing bigint not null, sim_now timestamptz not null,
      started_at timestamptz not null, ended_at timestamptz, batches integer, outcome text
    )`.execute(database.db);
  store = createPostgresEventStore({ pool: database.pool });
  runner = new ProjectionRunner({ db: database.db, store, logger: createSilentLogger(), projections: [billingDueProjection] });
  runner.start();
  let last: Position | undefined;
  for (const [i, spec] of SPECS.entries()) {
    const at = spec.createdAt.toISOString();
    const customerId = `cus_${randomUUID().replaceAll('-', '')}`;
    await handleCommand(
      store,
      customerStreamName(customerId),
      customerDecider,
      { type: 'RegisterCustomer', data: { customerId, name: 'Acme', email: 'a@acme.example', now: at } },
      context(spec.createdAt),
    );
    const subscriptionId = `sub_${randomUUID().replaceAll('-', '')}`;
    const created = await handleCommand(
      store,
      subscriptionStreamName(subscriptionId),
      subscriptionDecider,
      {
        type: 'CreateSubscription',
        data: {
          subscriptionId,
          contract: { contractId: 'ctr_1', customerId, status: 'ACTIVE' },
          plan: plan({
            planId: `pln_${spec.months}m`,
            amount: 1_000 + 100 * (i % 7),
            interval: spec.months === 12 ? 'year' : 'month',
            intervalCount: spec.months === 12 ? 1 : spec.months,
            trialDays: spec.trialDays,
          }),
          quantity: 1 + (i % 3),
          now: at,
        },
      },
      context(spec.createdAt),
    );
    last = created.position;
    subscriptions.push({ subscriptionId, ...spec });
  }
  expect(await runner.waitFor([BILLING_DUE_PROJECTION], last!, 10_000)).toBe(true);
});

const instances: Instance[] = [];
afterAll(async () => {
  // A failed test leaves its instances running: end them, and only them.
  for (const { child, exit } of instances) {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await exit;
  }
  await runner?.stop();
  await store?.close();
  await database?.close();
});

type Instance = Readonly<{ child: ChildProcess; exit: Promise<NodeJS.Signals | number | null>; output: () => string }>;
type CrashPoint = Readonly<{ instance: Instance; fencing: string; invoiceStream: string }>;

/** A child scheduler process; `onCrashPoint` hears when it has stopped at the crash point. */
const startInstance = (onCrashPoint: (crash: CrashPoint) => void): Instance => {
  const args = [script, database.url, String(TTL_MS), String(BATCH_SIZE), STEPS[KILL_STEP]!.toISOString()];
  const child = spawn(process.execPath, ['--import', 'tsx', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  let buffer = '';
  const exit = new Promise<NodeJS.Signals | number | null>((resolve) => child.once('exit', (code, signal) => resolve(signal ?? code)));
  const instance: Instance = { child, exit, output: () => output };
  child.stdout!.on('data', (chunk: Buffer) => {
    const lines = (buffer + chunk.toString()).split('\n');
    buffer = lines.pop()!;
    for (const line of lines) {
      output += `${line}\n`;
      const [kind, fencing, invoiceStream] = line.split(' ');
      if (kind === 'CRASH_POINT') onCrashPoint({ instance, fencing: fencing!, invoiceStream: invoiceStream! });
    }
  });
  // Drained, or a full pipe would block the child.
  child.stderr!.on('data', (chunk: Buffer) => void (output += chunk.toString()));
  instances.push(instance);
  return instance;
};

const count = async (query: RawBuilder<{ n: string }>) => Number((await query.execute(database.db)).rows[0]!.n);
const stillDue = (instant: Date) => count(sql<{ n: string }>`select count(*) as n from billing.subscription_due where due_at <= ${instant}`);

it('bills every period exactly once over 16 months with three scheduler processes, the lease holder SIGKILLed mid-run', async () => {
  // The lease holder stops mid-run at the crash point (its third batch, inside its transaction) and is killed there.
  let victim: CrashPoint | undefined;
  const kill = (crash: CrashPoint) => void (victim = crash);
  const running = [1, 2, 3].map(() => startInstance(kill));

  for (const [k, instant] of STEPS.entries()) {
    await sql`update sim_clock set now = ${instant}`.execute(database.db);
    if (k === KILL_STEP) {
      await expect.poll(() => victim, { timeout: 20_000 }).toBeDefined();
      // It holds the lease, renewing it while it waits at the crash point.
      const lease = await database.db.selectFrom('scheduler.leases').selectAll().where('name', '=', 'billing-run').executeTakeFirstOrThrow();
      expect(lease.holder).toContain(`:${victim!.instance.child.pid}:`);
      expect(lease.fencing).toBe(victim!.fencing);
      victim!.instance.child.kill('SIGKILL');
      expect(await victim!.instance.exit).toBe('SIGKILL');
      running.splice(running.indexOf(victim!.instance), 1, startInstance(kill));
    }
    // Everything due by the instant billed: every subscription moved on past it.
    await expect.poll(() => stillDue(instant), { timeout: 20_000, interval: 100 }).toBe(0);
  }
  for (const { child } of running) child.kill('SIGTERM');
  for (const instance of running) expect(await instance.exit, instance.output()).toBe(0);

  // Each subscription's invoices are exactly its periods begun by the last instant: none twice, none missing.
  const created = (
    await sql<{ invoice_id: string; subscription_id: string; period_start: string; stream_name: string; fencing: string; position: string }>`
      select data->>'invoiceId' as invoice_id, data->>'subscriptionId' as subscription_id, data->'cause'->>'periodStart' as period_start,
             stream_name, split_part(metadata->>'correlationId', ':', 2) as fencing, global_position as position
      from es.events where type = 'InvoiceCreated'`.execute(database.db)
  ).rows;
  const until = STEPS.at(-1)!;
  const expected = new Map(subscriptions.map((s) => [s.subscriptionId, periodStartsBy(s, until)]));
  const billed = new Map(subscriptions.map((s) => [s.subscriptionId, [] as string[]]));
  for (const invoice of created) billed.get(invoice.subscription_id)!.push(invoice.period_start);
  for (const starts of billed.values()) starts.sort();
  expect(billed).toEqual(expected);
  const expectedTotal = [...expected.values()].reduce((sum, starts) => sum + starts.length, 0);
  expect(created).toHaveLength(expectedTotal);
  expect(new Set(created.map((c) => c.invoice_id)).size).toBe(expectedTotal);
  // The mix the calendar was meant to exercise: clamped month ends, trials, yearly and quarterly schedules.
  expect(subscriptions.filter((s) => s.months === 12).length).toBeGreaterThanOrEqual(8);
  expect(subscriptions.filter((s) => s.months === 3).length).toBeGreaterThanOrEqual(8);
  expect(subscriptions.filter((s) => s.trialDays > 0).length).toBeGreaterThanOrEqual(8);

  // Every invoice finalised once, none left a draft, and each year's numbers are 1..N.
  const finalized = (
    await sql<{ stream_name: string; number: string }>`select stream_name, data->>'number' as number from es.events where type = 'InvoiceFinalized'`.execute(
      database.db,
    )
  ).rows;
  expect(finalized).toHaveLength(expectedTotal);
  expect(new Set(finalized.map((f) => f.stream_name))).toEqual(new Set(created.map((c) => c.stream_name)));
  const byYear = new Map<string, number[]>();
  for (const { number } of finalized) {
    const [year, seq] = number.split('-');
    byYear.set(year!, [...(byYear.get(year!) ?? []), Number(seq)]);
  }
  expect([...byYear.keys()].sort()).toEqual(['2026', '2027']);
  for (const seqs of byYear.values()) expect(seqs.sort((a, b) => a - b)).toEqual(seqs.map((_, i) => i + 1));
  // No number was taken for an invoice that was not finalised with it.
  expect(await count(sql<{ n: string }>`select count(*) as n from billing.invoice_numbers`)).toBe(expectedTotal);

  // The killed run: the lease holder at the kill step, stopped for good mid-run, after billing part of the month.
  type Run = { pid: number; fencing: string; sim_now: Date; ended_at: Date | null };
  const runs = (await sql<Run>`select pid, fencing, sim_now, ended_at from billing_runs order by fencing`.execute(database.db)).rows;
  const killed = runs.find((r) => r.fencing === victim!.fencing)!;
  expect(killed).toMatchObject({ pid: victim!.instance.child.pid, sim_now: STEPS[KILL_STEP], ended_at: null });
  expect(runs.filter((r) => r.ended_at === null)).toEqual([killed]);
  // The next grant of the lease, one token on, went to another process once the killed holder's lapsed: no one ran in between.
  const next = runs[runs.indexOf(killed) + 1]!;
  expect(BigInt(next.fencing)).toBe(BigInt(victim!.fencing) + 1n);
  expect(next.pid).not.toBe(victim!.instance.child.pid);
  expect(next.sim_now).toEqual(STEPS[KILL_STEP]);
  const ofKilled = created.filter((c) => c.fencing === victim!.fencing);
  const after = created.filter((c) => BigInt(c.fencing) > BigInt(victim!.fencing));
  expect(ofKilled.length).toBeGreaterThan(0);
  expect(after.length).toBeGreaterThan(0);
  // An invoice of the batch it was writing when killed: nothing of that batch was committed, and its successor created and finalised it once.
  const crashed = created.filter((c) => c.stream_name === victim!.invoiceStream);
  expect(crashed.map((c) => BigInt(c.fencing))).toEqual([BigInt(victim!.fencing) + 1n]);
  const crashedFinalized = await sql<{ fencing: string }>`
    select split_part(metadata->>'correlationId', ':', 2) as fencing from es.events
    where type = 'InvoiceFinalized' and stream_name = ${victim!.invoiceStream}`.execute(database.db);
  expect(crashedFinalized.rows.map((r) => BigInt(r.fencing))).toEqual([BigInt(victim!.fencing) + 1n]);
  // Everything the killed run wrote precedes everything its successors wrote.
  expect(Math.max(...ofKilled.map((c) => Number(c.position)))).toBeLessThan(Math.min(...after.map((c) => Number(c.position))));
}, 120_000);
