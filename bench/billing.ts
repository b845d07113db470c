/**
 * How long a billing run takes for N due subscriptions, an immediate rerun,
 * and a recheck with every subscription due again (both must bill nothing),
 * beside a baseline measured in the same run
 * on the same database: the N subscription streams read once each, with the
 * run's concurrency, the floor of any per-subscription billing.
 *
 *   npm run bench -- billing
 *   BENCH_BILLING_SIZES=10000,30000 npm run bench -- billing      (default 10000,100000)
 *   BENCH_BILLING_CONCURRENCY=32 npm run bench -- billing         runBilling's concurrency (default: its own, 8)
 *
 * Each N gets a fresh database: N customers and N monthly subscriptions
 * (quantity 1, no trial, anchors spread over January 2026) appended through the
 * event store, the billing_due projection run until it has caught up (the
 * setup, timed apart), then runBilling(until = just after the last anchor,
 * default options): one invoice per subscription, created and finalised.
 *
 * PostgreSQL: DATABASE_URL's server (the user needs CREATEDB; a database per N
 * is created and dropped), or an embedded durable one in a temporary directory.
 * Progress goes to stderr, the table to stdout.
 */
import { randomBytes } from 'node:crypto';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { EmbeddedPostgres } from '../src/db/embeddedPostgres.js';
import { dropDatabase } from '../src/db/databases.js';
import { BASELINE_CONCURRENCY, measureBilling, POOL_SIZE, SETUP_CONCURRENCY, UNTIL, type BillingBenchResult } from './lib/billing.js';

const TARGET_100K_SECONDS = 60;
const CONCURRENCY = process.env.BENCH_BILLING_CONCURRENCY ? Number(process.env.BENCH_BILLING_CONCURRENCY) : undefined;
if (CONCURRENCY !== undefined && !(Number.isInteger(CONCURRENCY) && CONCURRENCY > 0)) throw new Error('BENCH_BILLING_CONCURRENCY must be a positive integer');
const TARGET_RERUN_SECONDS = 5;

const sizes = (process.env.BENCH_BILLING_SIZES ?? '10000,100000')
  .split(',')
  .map((s) => Number(s.trim()))
  .filter((n) => Number.isInteger(n) && n > 0);

const serverInfo = async (serverUrl: string) => {
  const client = new pg.Client({ connectionString: serverUrl });
  await client.connect();
  try {
    const { rows } = await client.query<{ version: string; settings: string }>(
      `select version() as version,
              'fsync=' || current_setting('fsync') || ', synchronous_commit=' || current_setting('synchronous_commit') as settings`,
    );
    return rows[0]!;
  } finally {
    await client.end();
  }
};

const pad = (cells: readonly string[], widths: readonly number[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');

const printTable = (header: readonly string[], results: readonly BillingBenchResult[]) => {
  const head = ['N', 'setup s', 'billing run s', 'subs/s', 'invoices', 'failures', 'rerun s', 'rerun invoices', 'recheck s', 'recheck invoices', 'baseline s', 'run/baseline'];
  const rows = results.map((r) => [
    String(r.n),
    `${r.setupSeconds.toFixed(1)} (${r.appendSeconds.toFixed(1)}+${r.projectionSeconds.toFixed(1)})`,
    r.runSeconds.toFixed(2),
    (r.run.subscriptions / r.runSeconds).toFixed(0),
    String(r.run.invoices),
    String(r.run.failures.length),
    r.rerunSeconds.toFixed(3),
    String(r.rerun.invoices),
    r.recheckSeconds.toFixed(2),
    String(r.recheck.invoices),
    r.baselineSeconds.toFixed(2),
    `${(r.runSeconds / r.baselineSeconds).toFixed(1)}x`,
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const lines = [...header, '', pad(head, widths), pad(widths.map((w) => '-'.repeat(w)), widths), ...rows.map((r) => pad(r, widths)), ''];

  // The billing target is for 100,000; a smaller N is projected linearly from its rate (said so), a larger one is judged by itself.
  for (const r of results) {
    const perSecond = r.run.subscriptions / r.runSeconds;
    const billingLine =
      r.n >= 100_000
        ? `${r.runSeconds.toFixed(1)} s for ${r.n}: ${r.n === 100_000 && r.runSeconds < TARGET_100K_SECONDS ? 'met' : r.n === 100_000 ? 'MISSED' : (100_000 / perSecond < TARGET_100K_SECONDS ? 'met' : 'MISSED') + ' (at its rate)'}`
        : `not measured at 100,000; at this N's rate 100,000 would take ~${(100_000 / perSecond).toFixed(0)} s (linear projection): ${100_000 / perSecond < TARGET_100K_SECONDS ? 'would meet' : 'would MISS'}`;
    lines.push(`N=${r.n}: target 100,000 billed < ${TARGET_100K_SECONDS} s — ${billingLine}`);
    lines.push(
      `N=${r.n}: target rerun < ${TARGET_RERUN_SECONDS} s and bills nothing — ${r.rerunSeconds.toFixed(3)} s, ${r.rerun.subscriptions} subscriptions, ${r.rerun.invoices} invoices: ${r.rerunSeconds < TARGET_RERUN_SECONDS && r.rerun.invoices === 0 ? 'met' : 'MISSED'}`,
    );
    lines.push(
      `N=${r.n}: recheck (every subscription due again; no target, it must bill nothing) — ${r.recheckSeconds.toFixed(2)} s, ${r.recheck.subscriptions} subscriptions, ${r.recheck.invoices} invoices: ${r.recheck.invoices === 0 ? 'billed nothing' : 'BILLED AGAIN'}`,
    );
    lines.push(`N=${r.n}: ${r.events} events in the store after the three runs; invoices expected ${r.n} (one period each), created ${r.run.invoices}`);
  }
  lines.push(
    '',
    `setup s = appends (${SETUP_CONCURRENCY} at once: a customer and a subscription each) + billing_due projection catch-up; not part of the billing figures`,
    `billing run = runBilling(until = ${UNTIL.toISOString()}, ${CONCURRENCY === undefined ? 'default options: batchSize 500, concurrency 8' : `batchSize 500 (default), concurrency ${CONCURRENCY} (BENCH_BILLING_CONCURRENCY)`}), clock at until; rerun = the same call right after (nothing is due any more); recheck = the same call once every billing.subscription_due row is due again, as after a rebuild of the billing_due projection: every subscription and invoice stream is read, and nothing billed`,
    `baseline = each of the N subscription streams read once (store.readStream), ${CONCURRENCY ?? BASELINE_CONCURRENCY} at once (as the run), same database, before the run`,
    `pool of ${POOL_SIZE} connections; the bench, PostgreSQL and anything else on this machine share its CPUs`,
  );
  console.log(lines.join('\n'));
};

export const run = async (): Promise<void> => {
  if (sizes.length === 0) throw new Error('BENCH_BILLING_SIZES names no size');
  const external = process.env.DATABASE_URL;
  const parent = external ? undefined : await mkdtemp(path.join(os.tmpdir(), 'billstream-bench-billing-'));
  // As root the server runs as `postgres`, which must be able to enter the directory.
  if (parent) await chmod(parent, 0o755);
  const embedded = parent ? new EmbeddedPostgres({ dataDir: path.join(parent, 'postgres'), port: 54_430, durable: true }) : undefined;
  const suffix = randomBytes(4).toString('hex');
  const created: string[] = [];
  let serverUrl: string | undefined;
  const cleanUp = async () => {
    if (external && serverUrl) for (const name of created) await dropDatabase(serverUrl, name).catch(() => undefined);
    await embedded?.stop();
    if (parent) await rm(parent, { recursive: true, force: true });
  };
  const onSignal = () => {
    console.error('interrupted; stopping');
    void cleanUp().finally(() => process.exit(130));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);

  try {
    serverUrl = external ?? (await embedded!.start());
    const { version, settings } = await serverInfo(serverUrl);
    const header = [
      `Billing run benchmark (${new Date().toISOString().slice(0, 10)})`,
      `node ${process.version} | ${version}`,
      `${os.availableParallelism()} CPUs (${os.cpus()[0]?.model.trim() ?? 'unknown'}) | ${settings} | ${external ? 'DATABASE_URL' : 'embedded PostgreSQL'}`,
      `load average at start: ${os.loadavg().map((l) => l.toFixed(2)).join(' ')} | sizes: ${sizes.join(', ')} | runBilling concurrency: ${CONCURRENCY ?? 'default (8)'}`,
    ];
    console.error(header.join('\n'));
    const results: BillingBenchResult[] = [];
    for (const n of sizes) {
      const name = `bench_billing_${n}_${suffix}`;
      created.push(name);
      results.push(await measureBilling(serverUrl, name, n, (line) => console.error(line), CONCURRENCY));
      // Each N on a fresh database; the previous one is dropped so that it does not weigh on the next.
      await dropDatabase(serverUrl, name);
    }
    printTable(header, results);
  } finally {
    await cleanUp();
  }
};
