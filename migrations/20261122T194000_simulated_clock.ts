import { sql, type Kysely } from 'kysely';

/** The simulated clock's instant (CLOCK=simulated), kept so a restart resumes at the same time. */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`create schema if not exists clock`.execute(db);
  await sql`create table clock.simulated (id smallint primary key default 1 check (id = 1), now timestamptz not null)`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop schema clock cascade`.execute(db);
}
