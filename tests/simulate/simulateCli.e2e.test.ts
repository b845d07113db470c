import { readFile } from 'node:fs/promises';
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

/** A summary as a faster clock must leave it: without the database's name, and without the wall time and the stops it counts. */
const comparable = (summary: string): string =>
  summary.replace(/database billstream_sim_\w+/, 'database <name>').replace(/^wall time: .*\n/m, '');

it('prints the summary on stdout, the same number for number as before the clock got faster; progress on stderr; and drops its fresh database', async () => {
  const run = await cli('simulate', '--from', '2026-01-01', '--to', '2026-05-01', '--subscriptions', '12', '--seed', '7');
  expect(run.code, run.stderr).toBe(0);
  const database = /database (billstream_sim_\w+) \(dropped\)/.exec(run.stdout)?.[1];
  expect(database, run.stdout).toBeDefined();
  // Printed at 8136cbb, before issue 20's first change (see tests/fixtures/simulate/README.md).
  const before = await readFile(new URL('../fixtures/simulate/four-months-12-seed7.txt', import.meta.url), 'utf8');
  expect(comparable(run.stdout)).toBe(comparable(before));
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
