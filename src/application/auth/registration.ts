import { SYSTEM_ACTORS } from '../../domain/shared/index.js';
import { type Clock } from '../../clock/index.js';
import type { Kysely } from 'kysely';
import { z } from 'zod';
import { displayText, emailText, ROLES, safeText, ValidationError, type Role } from '../../domain/shared/index.js';
import { emailReservationDecider } from '../../domain/user/index.js';
import { handleCommand, type EventStore } from '../../eventstore/index.js';
import type { Database } from '../../db/index.js';
import { emailReservationStreamName } from '../user/index.js';
import { newId } from '../shared/index.js';
import { contextOf, type Origin } from '../shared/index.js';
import { createPasswordHasher, DEFAULT_SCRYPT, type PasswordHasher, type ScryptParams } from './passwords.js';
import type { UserCommands } from '../user/index.js';

export type RegistrationDeps = Readonly<{
  db: Kysely<Database>;
  store: EventStore;
  clock: Clock;
  users: UserCommands;
  hasher?: PasswordHasher;
  /** Without a hasher: the scrypt cost of a default one. */
  scrypt?: ScryptParams;
}>;

export type Registration = Readonly<{ email: string; password: string; displayName: string; role: Role }>;

/** Everything a registration writes, checked before its first write. */
export const registrationSchema = z.object({
  email: emailText,
  password: safeText.min(1).max(256),
  displayName: displayText(200),
  role: z.enum(ROLES),
});

const parse = (input: Registration): Registration => {
  const result = registrationSchema.safeParse(input);
  if (result.success) return result.data;
  throw new ValidationError('user.invalid_registration', 'the registration is not valid', {
    fields: result.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })),
  });
};

/**
 * Reserve the address (a deterministic stream created with no_stream: of two
 * racing registrations one wins, the other gets `user.email_taken`), store the
 * credentials in their plain table, then record the user. The input is
 * validated and the password hashed before the first write. When a later step
 * fails anyway, the earlier ones are undone: the credentials go and the address
 * is released, unless the user's stream shows the user was recorded after all.
 * A crash between the steps still leaves the address reserved (see README).
 */
export const createRegistration = (deps: RegistrationDeps) => {
  const hasher = deps.hasher ?? createPasswordHasher({ params: deps.scrypt ?? DEFAULT_SCRYPT, maxConcurrent: 1, maxQueued: 1_000 });

  return async (raw: Registration, requestedBy: Origin) => {
    const input = parse(raw);
    const userId = newId('usr');
    // Someone signing themselves up is the actor of their own registration.
    const origin: Origin =
      requestedBy.actor.id === SYSTEM_ACTORS.anonymous.id ? { ...requestedBy, actor: { id: userId, role: input.role } } : requestedBy;
    const passwordHash = await hasher.hash(input.password);
    const now = deps.clock.now();
    const reservation = emailReservationStreamName(input.email);
    await handleCommand(
      deps.store,
      reservation,
      emailReservationDecider,
      { type: 'ReserveEmail', data: { email: input.email, userId, now: now.toISOString() } },
      contextOf(origin, now),
    );
    try {
      await deps.db
        .insertInto('auth.credentials')
        .values({ user_id: userId, email: input.email, password_hash: passwordHash, created_at: now, updated_at: now })
        .execute();
      const result = await deps.users.register({ userId, email: input.email, displayName: input.displayName, role: input.role }, origin);
      return { userId, result };
    } catch (err) {
      if ((await deps.users.currentUser(userId)).status === 'unregistered') {
        await deps.db.deleteFrom('auth.credentials').where('user_id', '=', userId).execute();
        await handleCommand(
          deps.store,
          reservation,
          emailReservationDecider,
          { type: 'ReleaseEmail', data: { userId, reason: 'registration_failed', now: deps.clock.now().toISOString() } },
          contextOf(origin, deps.clock.now()),
        );
      }
      throw err;
    }
  };
};
