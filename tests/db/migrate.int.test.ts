import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { MigrationFailedError, migrateToLatest } from '../../src/db/migrate.js';
import { createTestDatabase, type TestDatabase } from '../support/db.js';

let database: TestDatabase;
let folder: string;
beforeAll(async () => {
  database = await createTestDatabase({ migrate: false });
  folder = await mkdtemp(path.join(os.tmpdir(), 'billstream-migrations-'));
});
afterAll(async () => {
  await database.close();
  await rm(folder, { recursive: true, force: true });
});

it('stops at a failing migration, names it, and applies none of the batch (one transaction)', async () => {
  await writeFile(
    path.join(folder, '20990101T000000_good.ts'),
    `export const up = (db) => db.schema.createTable('migrate_probe').addColumn('id', 'integer').execute();\n`,
  );
  await writeFile(
    path.join(folder, '20990101T000100_broken.ts'),
    `export const up = (db) => db.schema.createTable('migrate_probe').addColumn('id', 'integer').execute();\n`,
  );
  const error = await migrateToLatest(database.db, folder).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(MigrationFailedError);
  expect((error as MigrationFailedError).migrationName).toBe('20990101T000100_broken');
  expect((error as Error).message).toMatch(/20990101T000100_broken failed: .*already exists/);
  const { rows } = await sql<{ t: string | null }>`select to_regclass('public.migrate_probe')::text as t`.execute(database.db);
  expect(rows[0]!.t).toBeNull();
});

it('applies the real migrations, then is a no-op', async () => {
  const applied = await migrateToLatest(database.db);
  expect(applied.map((r) => r.status)).toEqual(applied.map(() => 'Success'));
  expect(applied.length).toBeGreaterThan(0);
  expect(await migrateToLatest(database.db)).toEqual([]);
});
