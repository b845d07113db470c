import type { Transaction } from 'kysely';
import type { RecordedEvent } from '../../eventstore/index.js';
import type { UserEvent } from '../../domain/user/index.js';
import type { Role } from '../../domain/shared/index.js';
import type { Database } from '../../db/index.js';
import type { Projection } from '../runtime/index.js';

export const USERS_PROJECTION = 'users';

/** A change applies only over an older revision, so replaying a prefix changes nothing. */
const applyOne = async (trx: Transaction<Database>, recorded: RecordedEvent): Promise<void> => {
  const event = { type: recorded.type, data: recorded.data } as UserEvent;
  const revision = recorded.revision.toString();
  const at = recorded.metadata.occurredAt;
  const update = (set: Partial<{ role: Role; active: boolean }>) =>
    trx
      .updateTable('read.users')
      .set({ ...set, revision, updated_at: at })
      .where('user_id', '=', event.data.userId)
      .where('revision', '<', revision)
      .execute();
  switch (event.type) {
    case 'UserRegistered':
      await trx
        .insertInto('read.users')
        .values({
          user_id: event.data.userId,
          email: event.data.email,
          display_name: event.data.displayName,
          role: event.data.role,
          active: true,
          revision,
          registered_at: event.data.registeredAt,
          updated_at: at,
        })
        .onConflict((oc) => oc.column('user_id').doNothing())
        .execute();
      return;
    case 'UserRoleChanged':
      await update({ role: event.data.to });
      return;
    case 'UserDeactivated':
      await update({ active: false });
      return;
    case 'UserReactivated':
      await update({ active: true });
      return;
  }
};

export const usersProjection: Projection = {
  name: USERS_PROJECTION,
  filter: { streamPrefixes: ['user-'] },
  apply: async (trx, events) => {
    for (const event of events) await applyOne(trx, event);
  },
  reset: async (trx) => {
    await trx.deleteFrom('read.users').execute();
  },
};
