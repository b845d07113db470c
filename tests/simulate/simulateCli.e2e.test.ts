import { sql } from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, expect, it, inject } from 'vitest';
import { runCli } from '../support/cli.js';
import { createTestDatabase, type TestDatabase } from '../support/db.js';

/**
 * `billstream simulate` as an operator runs it, with DATABASE_URL naming the
 * operator's database: the run happens in a database of its own on that
 * server, dropped at the end, and the operator's database gets no event.
 */
let operator: TestDatabase;
beforeAll(async () => {
  operator = await createTestDatabase();
});
afterAll(async () => {
  await operator?.close();
});

const cli = (...args: string[]) => runCli(args, { databaseUrl: operator.url });

const databaseExists = async (name: string): Promise<boolean> => {
  const client = new pg.Client({ connectionString: inject('postgresUrl') });
  await client.connect();
  try {
    return (await client.query('select 1 from pg_database where datname = $1', [name])).rowCount === 1;
  } finally {
    await client.end();
  }
};

it('prints the summary on stdout, progress on stderr, and drops its fresh database', async () => {
  const run = await cli('simulate', '--from', '2026-01-01', '--to', '2026-03-01', '--subscriptions', '5', '--seed', '1');
  expect(run.code, run.stderr).toBe(0);
  const database = /database (billstream_sim_\w+) \(dropped\)/.exec(run.stdout)?.[1];
  expect(database, run.stdout).toBeDefined();
  expect(run.stdout).toContain('simulated 2026-01-01T00:00:00.000Z → 2026-03-01T00:00:00.000Z, seed 1, 5 subscriptions');
  expect(run.stdout).toMatch(/^invoices: \d+ \(\d+ finalised, \d+ with total 0\), billed [\d,]+\.\d\d usd$/m);
  expect(run.stdout).toContain("billed revenue by month of the invoice's period start (UTC), usd:");
  expect(run.stdout).toMatch(/^ {2}2026-01 +\d+ invoices +[\d,]+\.\d\d$/m);
  expect(run.stdout).toMatch(/^credits: granted [\d,]+\.\d\d usd/m);
  expect(run.stdout).toMatch(/^subscriptions by status: .*\d/m);
  expect(run.stdout).toContain('payment methods drawn from: pm_ok=70,pm_flaky_1=8,pm_flaky_2=5,pm_insufficient_funds=7,pm_declined=5,none=5\n');
  expect(run.stdout).toMatch(/^payments: \d+ attempts, \d+ succeeded \(collected [\d,]+\.\d\d usd\), \d+ failed: .+$/m);
  expect(run.stdout).toMatch(/^invoices by status: .*PAID \d+ \([\d,]+\.\d\d\).*; \d+ written off when grace ended$/m);
  expect(run.stdout).toMatch(/^dunning: \d+ subscriptions went past due, \d+ recoveries, \d+ canceled when grace ended \(payment_failed\), \d+ past due at the end$/m);
  expect(run.stdout).toMatch(/^notices sent: \d+: .*subscription_created 5/m);
  expect(run.stdout).toMatch(/^wall time: \d+\.\d s \(system start \d+\.\d s, customers and contracts \d+\.\d s, clock \d+\.\d s over \d+ stops, steps \d+\.\d s\)$/m);
  // Not a terminal: a line per tenth crossed, ending at 100 %.
  expect(run.stderr).toMatch(/\[#{30}\] 100%/);
  expect(run.stderr).not.toContain('\r');
  expect(await databaseExists(database!)).toBe(false);
  const { rows } = await sql<{ n: string }>`select count(*) as n from es.events`.execute(operator.db);
  expect(Number(rows[0]!.n)).toBe(0);
});

it('with --tokens pm_ok, every customer pays: no failure, no dunning', async () => {
  const run = await cli('simulate', '--from', '2026-01-01', '--to', '2026-03-01', '--subscriptions', '4', '--seed', '3', '--tokens', 'pm_ok');
  expect(run.code, run.stderr).toBe(0);
  expect(run.stdout).toContain('payment methods drawn from: pm_ok=1\n');
  expect(run.stdout).toContain('payment methods at the end: pm_ok 4\n');
  const [, attempts, succeeded] = /^payments: (\d+) attempts, (\d+) succeeded \(collected [\d,]+\.\d\d usd\), 0 failed: none$/m.exec(run.stdout) ?? [];
  expect(Number(attempts), run.stdout).toBeGreaterThan(0);
  expect(succeeded).toBe(attempts);
  expect(run.stdout).toMatch(/^invoices by status: PAID \d+ \([\d,]+\.\d\d\); 0 written off when grace ended$/m);
  expect(run.stdout).toContain('dunning: 0 subscriptions went past due, 0 recoveries, 0 canceled when grace ended (payment_failed), 0 past due at the end\n');
  expect(run.stdout).not.toContain('payment_failed_immediate');
});

it.concurrent.each([
  [['--tokens', 'pm_bogus'], '--tokens: pm_bogus: not a token the simulated gateway knows'],
  [['--tokens', 'pm_ok=0,pm_declined=1'], '--tokens: pm_ok=0: the weight is a whole number from 1 to 1000'],
  [['--tokens', 'pm_ok=2.5'], '--tokens: pm_ok=2.5: the weight is a whole number from 1 to 1000'],
  [['--tokens', 'pm_ok,pm_ok=3'], '--tokens: pm_ok: named twice'],
  [['--tokens', 'pm_ok,,none'], '--tokens: an empty item'],
  [['--tokens', 'pm_flaky_0'], '--tokens: pm_flaky_0: not a token'],
  [['--to', '2025-12-01'], '--to must be after --from'],
  [['--subscriptions', '0'], '--subscriptions: a whole number from 1 to 1000000'],
])('refuses %j with exit code 2 and a message, before touching any database', async (args, message) => {
  const run = await cli('simulate', '--from', '2026-01-01', '--to', '2026-02-01', ...args);
  expect(run.code, run.stderr).toBe(2);
  expect(run.stderr).toContain(`billstream simulate: ${message}`);
  expect(run.stdout).toBe('');
  // No progress bar: it never started.
  expect(run.stderr).not.toContain('%');
});
