import { Kysely, PostgresDialect, sql } from 'kysely';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { preparingPool } from '../../src/db/preparedStatements.js';
import { createTestDatabase, type TestDatabase } from '../support/db.js';

/** One connection, so that what it has prepared is what pg_prepared_statements shows. */
let database: TestDatabase;
let db: Kysely<any>;

beforeAll(async () => {
  database = await createTestDatabase({ poolSize: 1, migrate: false });
  db = new Kysely<any>({ dialect: new PostgresDialect({ pool: preparingPool(database.pool, { after: 3, max: 2 }) }) });
  await sql`create table things (id text primary key, n int not null)`.execute(db);
  await sql`insert into things values ('a', 1), ('b', 2)`.execute(db);
});
afterAll(async () => {
  await database?.close();
});

const prepared = async () =>
  (await sql<{ statement: string }>`select statement from pg_prepared_statements order by statement`.execute(db)).rows.map((r) => r.statement);
const byId = (id: string) => db.selectFrom('things').selectAll().where('id', '=', id).execute();

it('prepares a statement with parameters once it is hot, and at most `max` of them', async () => {
  await byId('a');
  await byId('b');
  expect(await prepared()).toEqual([]);
  // The third run is the first under a name: prepared, and answered the same.
  expect(await byId('a')).toEqual([{ id: 'a', n: 1 }]);
  expect(await prepared()).toEqual(['select * from "things" where "id" = $1']);
  for (let i = 0; i < 3; i++) await db.selectFrom('things').select('n').where('id', '=', 'b').execute();
  for (let i = 0; i < 3; i++) await db.selectFrom('things').select('id').where('n', '=', 1).execute();
  expect(await prepared()).toHaveLength(2);
  // Without parameters (transaction control, DDL), never.
  for (let i = 0; i < 5; i++) await sql`select count(*) from things`.execute(db);
  expect(await prepared()).toHaveLength(2);
});

it('runs a statement unnamed once a change of its table made its prepared form stale, at once outside a transaction', async () => {
  await sql`alter table things add column note text`.execute(db);
  expect(await byId('a')).toEqual([{ id: 'a', n: 1, note: null }]);
  for (let i = 0; i < 5; i++) expect(await byId('b')).toEqual([{ id: 'b', n: 2, note: null }]);
});

it('fails the transaction a stale prepared statement broke, and runs the text unnamed after', async () => {
  for (let i = 0; i < 3; i++) await db.selectFrom('things').select('n').where('id', '=', 'b').execute();
  await sql`alter table things alter column n type bigint`.execute(db);
  await expect(db.transaction().execute((trx) => trx.selectFrom('things').select('n').where('id', '=', 'b').execute())).rejects.toThrow(
    'cached plan must not change result type',
  );
  expect(await db.transaction().execute((trx) => trx.selectFrom('things').select('n').where('id', '=', 'b').execute())).toEqual([{ n: '2' }]);
});
