import type { Kysely } from 'kysely';
import { MANAGER_ROSTER_STREAM, managerRosterDecider } from '../domain/managerRoster/index.js';
import type { Actor, Clock, Role } from '../domain/shared/index.js';
import { assertMayManage, userDecider, userStreamName, type UserCommand, type UserState } from '../domain/user/index.js';
import { foldStream, handleCommand, type EventStore, type HandleCommandResult } from '../eventstore/index.js';
import type { UserEvent } from '../domain/user/index.js';
import type { Database } from '../projections/index.js';
import { contextOf, type Origin } from './origin.js';

export type UserCommandsDeps = Readonly<{ db: Kysely<Database>; store: EventStore; clock: Clock }>;

export type UserCommandResult = HandleCommandResult<UserState, UserEvent>;

/**
 * Commands on users that the roster of MANAGERs must agree with. A manager
 * leaves the roster before the user's stream records a demotion or
 * deactivation, and joins it after a promotion or reactivation: the roster can
 * briefly count one manager too few, never one too many, so "not the last
 * MANAGER" errs on the safe side. A user command that fails after the roster
 * moved is compensated.
 */
export const createUserCommands = (deps: UserCommandsDeps) => {
  const context = (origin: Origin, expectedRevision?: bigint) => contextOf(origin, deps.clock.now(), expectedRevision);

  const roster = (type: 'AddManager' | 'RemoveManager', userId: string, origin: Origin) =>
    handleCommand(deps.store, MANAGER_ROSTER_STREAM, managerRosterDecider, {
      type,
      data: { userId, now: deps.clock.now().toISOString() },
    }, context(origin));

  const currentUser = async (userId: string): Promise<UserState> =>
    (await foldStream(deps.store, userStreamName(userId), userDecider)).state;

  const onUser = (userId: string, command: UserCommand, origin: Origin, expectedRevision?: bigint) =>
    handleCommand(deps.store, userStreamName(userId), userDecider, command, context(origin, expectedRevision));

  /**
   * Takes the manager off the roster, then runs the user command. When that
   * fails, the manager goes back only if the user's stream still shows an
   * active MANAGER: a concurrent deactivation may be why it failed.
   */
  const withRosterExit = async (userId: string, leaves: boolean, origin: Origin, run: () => Promise<UserCommandResult>) => {
    if (!leaves) return run();
    await roster('RemoveManager', userId, origin);
    try {
      return await run();
    } catch (err) {
      const now = await currentUser(userId);
      if (now.status === 'active' && now.role === 'MANAGER') await roster('AddManager', userId, origin);
      throw err;
    }
  };

  return {
    /** Records a new user; a MANAGER also joins the roster. Email reservation and credentials are the caller's. */
    async register(input: { userId: string; email: string; displayName: string; role: Role }, origin: Origin) {
      const now = deps.clock.now().toISOString();
      const result = await onUser(input.userId, { type: 'RegisterUser', data: { ...input, now } }, origin);
      if (input.role === 'MANAGER') await roster('AddManager', input.userId, origin);
      return result;
    },

    async changeRole(userId: string, to: Role, actor: Actor, origin: Origin, expectedRevision?: bigint) {
      const user = await currentUser(userId);
      if (user.status !== 'unregistered') assertMayManage(actor, user.role, to);
      const leaves = user.status === 'active' && user.role === 'MANAGER' && to !== 'MANAGER';
      const command: UserCommand = { type: 'ChangeUserRole', data: { to, actor, now: deps.clock.now().toISOString() } };
      const result = await withRosterExit(userId, leaves, origin, () => onUser(userId, command, origin, expectedRevision));
      if (to === 'MANAGER' && result.newEvents.length > 0) await roster('AddManager', userId, origin);
      return result;
    },

    async deactivate(userId: string, reason: string | undefined, actor: Actor, origin: Origin, expectedRevision?: bigint) {
      const user = await currentUser(userId);
      if (user.status !== 'unregistered') assertMayManage(actor, user.role);
      const leaves = user.status === 'active' && user.role === 'MANAGER';
      const command: UserCommand = {
        type: 'DeactivateUser',
        data: { ...(reason !== undefined && { reason }), actor, now: deps.clock.now().toISOString() },
      };
      return withRosterExit(userId, leaves, origin, () => onUser(userId, command, origin, expectedRevision));
    },

    async reactivate(userId: string, actor: Actor, origin: Origin, expectedRevision?: bigint) {
      const command: UserCommand = { type: 'ReactivateUser', data: { actor, now: deps.clock.now().toISOString() } };
      const result = await onUser(userId, command, origin, expectedRevision);
      if (result.newEvents.length > 0 && result.newState.status === 'active' && result.newState.role === 'MANAGER') {
        await roster('AddManager', userId, origin);
      }
      return result;
    },

    currentUser,
  };
};

export type UserCommands = ReturnType<typeof createUserCommands>;
