import { sql, type Kysely } from 'kysely';
import type { Projection } from '../../src/projections/runtime/index.js';

/**
 * A read model for runtime tests: one row per event and a running total that a
 * repeat would inflate silently. By default a primary key makes a repeated
 * event fail its batch; `unique: false` lets a repeat through to be counted.
 */
export const createTestTables = async (db: Kysely<any>, name: string, options: { unique?: boolean } = {}): Promise<void> => {
  const key = options.unique === false ? sql`` : sql`primary key`;
  await sql`create table ${sql.table(`read.${name}_applied`)} (event_id uuid not null ${key}, stream_name text not null)`.execute(db);
  await sql`create table ${sql.table(`read.${name}_totals`)} (id int primary key, n bigint not null)`.execute(db);
  await sql`insert into ${sql.table(`read.${name}_totals`)} values (1, 0)`.execute(db);
};

export const testProjection = (
  name: string,
  options: { streamPrefix?: string; beforeCommit?: (batchSize: number) => Promise<void> } = {},
): Projection & { applyCalls: number } => {
  const projection = {
    name,
    applyCalls: 0,
    ...(options.streamPrefix && { filter: { streamPrefixes: [options.streamPrefix] } }),
    apply: async (trx, events) => {
      projection.applyCalls++;
      await sql`insert into ${sql.table(`read.${name}_applied`)} (event_id, stream_name)
        select * from unnest(${events.map((e) => e.eventId)}::uuid[], ${events.map((e) => e.streamName)}::text[])`.execute(trx);
      await sql`update ${sql.table(`read.${name}_totals`)} set n = n + ${events.length}`.execute(trx);
      await options.beforeCommit?.(events.length);
    },
    reset: async (trx) => {
      await sql`delete from ${sql.table(`read.${name}_applied`)}`.execute(trx);
      await sql`update ${sql.table(`read.${name}_totals`)} set n = 0`.execute(trx);
    },
  } satisfies Projection & { applyCalls: number };
  return projection;
};

export const readTotals = async (db: Kysely<any>, name: string) => {
  const { rows } = await sql<{ applied: string; total: string }>`
    select (select count(*) from ${sql.table(`read.${name}_applied`)}) as applied,
           (select n from ${sql.table(`read.${name}_totals`)}) as total`.execute(db);
  return { applied: Number(rows[0]!.applied), total: Number(rows[0]!.total) };
};
