import type { Kysely } from 'kysely';
import type { Clock, Role } from '../domain/shared/index.js';
import { emailReservationDecider, emailReservationStreamName, normalizeEmail } from '../domain/userEmail/index.js';
import { handleCommand, type EventStore } from '../eventstore/index.js';
import type { Database } from '../projections/index.js';
import { newId } from './ids.js';
import { ANONYMOUS, contextOf, type Origin } from './origin.js';
import { hashPassword, type ScryptParams } from './passwords.js';
import type { UserCommands } from './users.js';

export type RegistrationDeps = Readonly<{
  db: Kysely<Database>;
  store: EventStore;
  clock: Clock;
  users: UserCommands;
  scrypt?: ScryptParams;
}>;

export type Registration = Readonly<{ email: string; password: string; displayName: string; role: Role }>;

/**
 * Reserve the address (a deterministic stream created with no_stream: of two
 * racing registrations one wins, the other gets `user.email_taken`), store the
 * credentials in their plain table, then record the user. A crash between the
 * reservation and the user's first event leaves the address reserved by a user
 * that never came to be; such an address stays taken (no release exists yet).
 */
export const createRegistration = (deps: RegistrationDeps) => async (input: Registration, requestedBy: Origin) => {
  const userId = newId('usr');
  // Someone signing themselves up is the actor of their own registration.
  const origin: Origin =
    requestedBy.actor.id === ANONYMOUS ? { ...requestedBy, actor: { id: userId, role: input.role } } : requestedBy;
  const email = normalizeEmail(input.email);
  const now = deps.clock.now();
  await handleCommand(
    deps.store,
    emailReservationStreamName(email),
    emailReservationDecider,
    { type: 'ReserveEmail', data: { email, userId, now: now.toISOString() } },
    contextOf(origin, now),
  );
  const passwordHash = await hashPassword(input.password, deps.scrypt);
  await deps.db
    .insertInto('auth.credentials')
    .values({ user_id: userId, email, password_hash: passwordHash, created_at: now, updated_at: now })
    .execute();
  const result = await deps.users.register({ userId, email, displayName: input.displayName, role: input.role }, origin);
  return { userId, result };
};
