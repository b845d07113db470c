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
  expect(run.stdout).toMatch(/^wall time: \d+\.\d s$/m);
  // Not a terminal: a line per tenth crossed, ending at 100 %.
  expect(run.stderr).toMatch(/\[#{30}\] 100%/);
  expect(run.stderr).not.toContain('\r');
  expect(await databaseExists(database!)).toBe(false);
  const { rows } = await sql<{ n: string }>`select count(*) as n from es.events`.execute(operator.db);
  expect(Number(rows[0]!.n)).toBe(0);
});

it('refuses a window that ends before it starts, before touching any database', async () => {
  const run = await cli('simulate', '--from', '2026-02-01', '--to', '2026-01-01');
  expect(run.code).toBe(1);
  expect(run.stderr).toContain('--to must be after --from');
});
