import { mkdtemp, readdir, rm, symlink } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { migrateToLatest, migrationsFolder } from '../../src/db/migrate.js';
import { createTestDatabase, type TestDatabase } from '../support/db.js';

const MIGRATION = '20261122T202000_read_payments';

let database: TestDatabase;
let folder: string;
/** The real migrations before this one, or up to it too, linked into a folder of their own. */
const migrate = async (through: 'before' | 'it') => {
  const wanted = (name: string) => (through === 'before' ? name < MIGRATION : name <= MIGRATION);
  for (const file of (await readdir(migrationsFolder)).filter((f) => f.endsWith('.ts') && wanted(f.replace(/\.ts$/, '')))) {
    await symlink(path.join(migrationsFolder, file), path.join(folder, file)).catch((e: NodeJS.ErrnoException) => {
      if (e.code !== 'EEXIST') throw e;
    });
  }
  return migrateToLatest(database.db, folder);
};

beforeAll(async () => {
  database = await createTestDatabase({ migrate: false });
  folder = await mkdtemp(path.join(os.tmpdir(), 'billstream-read-payments-'));
});
afterAll(async () => {
  await database.close();
  await rm(folder, { recursive: true, force: true });
});

const subscription = (id: string, status: string, pastDue: string | null) => sql`
  insert into read.subscriptions (subscription_id, customer_id, contract_id, plan_id, status, quantity, pricing_model, amount, currency, interval,
    interval_count, billing_anchor, current_period_start, current_period_end, cancel_at_period_end, past_due_since, past_due_invoice_id, revision,
    created_at, updated_at)
  values (${id}, 'cus_1', 'ctr_1', 'pln_1', ${status}, 1, 'flat_rate', 1000, 'usd', 'month', 1, '2026-01-01Z', '2026-01-01Z', '2026-02-01Z', false,
    ${pastDue && '2026-01-05Z'}::timestamptz, ${pastDue}, 3, '2026-01-01Z', '2026-01-05Z')`;

it('keeps a past-due subscription’s invoice in the list, and sets the invoices read model back to replay its whole history', async () => {
  const before = await migrate('before');
  expect(before.at(-1)?.migrationName).toBe('20261122T201000_payments_simulated_charges');
  await subscription('sub_past_due', 'PAST_DUE', 'inv_7').execute(database.db);
  await subscription('sub_active', 'ACTIVE', null).execute(database.db);
  await sql`
    insert into read.invoices (invoice_id, customer_id, subscription_id, status, currency, subtotal, tax, total, cause_kind, period_start, period_end, created_at, revision, updated_at)
    values ('inv_7', 'cus_1', 'sub_past_due', 'OPEN', 'usd', 1000, 0, 1000, 'period', '2026-01-01Z', '2026-02-01Z', '2026-01-01Z', 4, '2026-01-04Z')`.execute(database.db);
  await sql`insert into read.projection_checkpoints (name, commit, prepare, events_applied) values ('invoices', 40, 40, 12), ('subscriptions', 41, 41, 9)`.execute(database.db);

  const applied = await migrate('it');
  expect(applied.map((r) => [r.migrationName, r.status])).toEqual([[MIGRATION, 'Success']]);

  const subscriptions = await sql<{ subscription_id: string; past_due_invoice_ids: string[] }>`
    select subscription_id, past_due_invoice_ids from read.subscriptions order by subscription_id`.execute(database.db);
  expect(subscriptions.rows).toEqual([
    { subscription_id: 'sub_active', past_due_invoice_ids: [] },
    { subscription_id: 'sub_past_due', past_due_invoice_ids: ['inv_7'] },
  ]);
  const old = await sql`select 1 from information_schema.columns where table_schema = 'read' and table_name = 'subscriptions' and column_name = 'past_due_invoice_id'`.execute(database.db);
  expect(old.rows).toEqual([]);

  expect((await sql`select * from read.invoices`.execute(database.db)).rows).toEqual([]);
  const checkpoints = await sql`select name, commit, prepare, events_applied from read.projection_checkpoints order by name`.execute(database.db);
  expect(checkpoints.rows).toEqual([
    { name: 'invoices', commit: null, prepare: null, events_applied: '0' },
    { name: 'subscriptions', commit: '41', prepare: '41', events_applied: '9' },
  ]);
  expect((await sql`select count(*)::int as n from read.payments`.execute(database.db)).rows).toEqual([{ n: 0 }]);

  // And back: one invoice per subscription again, the first.
  const { down } = (await import(path.join(migrationsFolder, `${MIGRATION}.ts`))) as { down: (db: typeof database.db) => Promise<void> };
  await database.db.transaction().execute((trx) => down(trx));
  const restored = await sql`select subscription_id, past_due_invoice_id from read.subscriptions order by subscription_id`.execute(database.db);
  expect(restored.rows).toEqual([
    { subscription_id: 'sub_active', past_due_invoice_id: null },
    { subscription_id: 'sub_past_due', past_due_invoice_id: 'inv_7' },
  ]);
  expect((await sql<{ t: string | null }>`select to_regclass('read.payments')::text as t`.execute(database.db)).rows).toEqual([{ t: null }]);
});
