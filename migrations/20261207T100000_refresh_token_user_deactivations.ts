import { sql, type Kysely } from 'kysely';

/**
 * Each refresh token keeps how many times its user had been deactivated when
 * the session began. A refresh compares that count with the user's stream:
 * any deactivation since ends the session. Comparing the session's issue time
 * (wall clock) with the deactivation's time (domain clock) went wrong on a
 * simulated clock.
 *
 * Sessions already begun get the count of deactivations recorded before they
 * were issued; both instants here are the wall clock's (the store's
 * recorded_at, the session's issued_at). Where the events live in
 * EventStoreDB, that count is 0, and a session of a user deactivated before
 * ends at its next refresh: a new login, never a session kept too long.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`alter table auth.refresh_tokens add column user_deactivations integer not null default 0`.execute(db);
  await sql`
    update auth.refresh_tokens t
       set user_deactivations = (
         select count(*) from es.events e
          where e.stream_name = 'user-' || t.user_id and e.type = 'UserDeactivated' and e.recorded_at <= t.issued_at)`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`alter table auth.refresh_tokens drop column user_deactivations`.execute(db);
}
