import { sql } from 'kysely';
import { accessChanges } from '../../src/application/auth/index.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRegistration } from '../../src/application/auth/registration.js';
import { createUserCommands } from '../../src/application/user/commands.js';
import { type Origin } from '../../src/application/shared/origin.js';
import { emailReservationStreamName } from '../../src/application/user/emailReservation.js';
import { ValidationError } from '../../src/domain/shared/index.js';
import { createPostgresEventStore, type PostgresEventStore } from '../../src/eventstore/index.js';
import { createTestDatabase, type TestDatabase } from '../support/db.js';

const NOW = new Date('2026-04-01T10:00:00Z');
const clock = { now: () => NOW };
const cli: Origin = { actor: { id: 'system:cli' }, source: 'cli', correlationId: 'corr-registration' };

let database: TestDatabase;
let store: PostgresEventStore;
let register: ReturnType<typeof createRegistration>;

beforeAll(async () => {
  database = await createTestDatabase();
  store = createPostgresEventStore({ pool: database.pool });
  const users = createUserCommands({ db: database.db, store, clock, wall: clock, accessChanged: accessChanges(database.db) });
  register = createRegistration({ db: database.db, store, clock, users, scrypt: { N: 2 ** 10, r: 8, p: 1 } });
});
afterAll(async () => {
  await store.close();
  await database.close();
});

const attempt = (email: string, displayName = 'Someone') =>
  register({ email, password: 'a-long-password', displayName, role: 'USER' }, cli);

const reservationEvents = async (email: string) =>
  (await store.readStream(emailReservationStreamName(email)).catch(() => [])).map((e) => e.type);

/** A real failure inside PostgreSQL, raised by a trigger for one address only. */
const failWrites = async (table: 'es.events' | 'auth.credentials', email: string) => {
  const condition = table === 'es.events' ? `new.type = 'UserRegistered' and new.data->>'email' = '${email}'` : `new.email = '${email}'`;
  await sql
    .raw(
      `create or replace function public.fail_registration() returns trigger language plpgsql as $$
       begin raise exception 'injected failure'; end $$;
       create trigger fail_registration before insert on ${table} for each row when (${condition})
       execute function public.fail_registration();`,
    )
    .execute(database.db);
  return () => sql.raw(`drop trigger fail_registration on ${table}`).execute(database.db);
};

describe('a registration that fails part-way', () => {
  it.each([
    ['recording the user', 'es.events', 'late-failure@example.com'],
    ['storing the credentials', 'auth.credentials', 'early-failure@example.com'],
  ] as const)('undoes its earlier steps when %s fails, so the owner can register later', async (_step, table, email) => {
    const restore = await failWrites(table, email);
    await expect(attempt(email)).rejects.toThrow(/injected failure/);
    await restore();

    expect(await reservationEvents(email)).toEqual(['EmailReserved', 'EmailReleased']);
    const credentials = await database.db.selectFrom('auth.credentials').selectAll().where('email', '=', email).execute();
    expect(credentials).toEqual([]);

    const { userId } = await attempt(email);
    expect(await reservationEvents(email)).toEqual(['EmailReserved', 'EmailReleased', 'EmailReserved']);
    expect((await store.readStream(`user-${userId}`)).map((e) => e.type)).toEqual(['UserRegistered']);
  });

  it('checks everything before its first write: a bad display name reserves nothing', async () => {
    for (const displayName of ['A\u0000B', '\ud800', '   ']) {
      await expect(attempt('checked-first@example.com', displayName)).rejects.toBeInstanceOf(ValidationError);
    }
    expect(await reservationEvents('checked-first@example.com')).toEqual([]);
  });
});
