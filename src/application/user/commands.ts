import type { Clock } from '../../clock/index.js';
import type { Kysely } from 'kysely';
import { MANAGER_ROSTER_STREAM, managerRosterDecider, type ManagerRosterCommand } from '../../domain/user/index.js';
import type { Actor, Role } from '../../domain/shared/index.js';
import {
  assertMayManage,
  isActiveManager,
  userDecider,
  userStreamName,
  type UserCommand,
  type UserEvent,
  type UserState,
} from '../../domain/user/index.js';
import {
  appendDecided,
  ExpectedRevisionMismatchError,
  foldStream,
  handleCommand,
  WrongExpectedRevisionError,
  stateCache,
  type AppendResult,
  type EventStore,
  type Folded,
  type HandleCommandResult,
  type Position,
} from '../../eventstore/index.js';
import type { Database } from '../../db/index.js';
import { contextOf, type Origin } from '../shared/index.js';

/**
 * `clock` is the domain's (the commands' instants), `wall` real time (when
 * sessions are revoked). `accessChanged` resolves once no process can let a
 * caller through on what they were before the event at `position` (the auth
 * feature's accessBarrier).
 */
export type UserCommandsDeps = Readonly<{
  db: Kysely<Database>;
  store: EventStore;
  clock: Clock;
  wall: Clock;
  accessChanged: (change: AccessChange) => Promise<void>;
}>;

/** A user as their stream now says, and the position of the event that said it last. */
export type AccessChange = Readonly<{ userId: string; state: UserState; revision: bigint; position: Position }>;

export type UserCommandResult = HandleCommandResult<UserState, UserEvent>;

/** User states this process remembers after its own appends. */
const STATE_CACHE_SIZE = 10_000;

/** Lost races on one user's stream before a command gives up (409). */
const MAX_ATTEMPTS = 10;
/** Every manager change passes the one roster stream; a lost race there is decided again on the fresh roster. */
const ROSTER_RETRIES = 10;

/** Who may ask comes first, before the If-Match and before any write: a refused caller learns nothing of the user. */
const authorise = (command: UserCommand, state: UserState): void => {
  if (state.status === 'unregistered' || command.type === 'RegisterUser') return;
  assertMayManage(command.data.actor, state.role, command.type === 'ChangeUserRole' ? command.data.to : undefined);
};

/**
 * Commands on users, which the roster of MANAGERs (see managerRoster) follows.
 *
 * Each attempt folds the user's stream once (state S at revision U), decides
 * on S, and appends with U as the exact expected revision. Whatever the
 * roster is told comes from that same fold, stamped with the revision it
 * speaks of, so no roster change rests on a read the append did not check:
 *
 * - a user who leaves the managers (S an active MANAGER, the new state not) is
 *   announced as leaving at V, the revision the append will create, before the
 *   append. That announcement is where "not the last MANAGER" is enforced, and
 *   from then on any report older than V (a reactivation's late "member as of
 *   V-1") is ignored;
 * - a user who joins is synced as a member as of V only after V is written;
 * - an append that loses the race re-syncs the roster from a fresh fold (a
 *   confirmed report outranks the announcement at the same revision), then the
 *   command starts again from the fold, or, with an If-Match, fails.
 *
 * So at every instant the roster counts no one whose stream does not say
 * "active MANAGER" (it may briefly miss one, never hold one too many), and once
 * commands settle it holds exactly the active MANAGERs. A crash between the
 * steps leaves it one short, never one over; a retried command repairs a lost
 * join (a no-op on an active MANAGER re-syncs it).
 */
export const createUserCommands = (deps: UserCommandsDeps) => {
  const context = (origin: Origin) => contextOf(origin, deps.clock.now());
  const states = stateCache<Folded<UserState>>(STATE_CACHE_SIZE);

  const roster = (command: ManagerRosterCommand, origin: Origin) =>
    handleCommand(deps.store, MANAGER_ROSTER_STREAM, managerRosterDecider, command, context(origin), {
      maxRetries: ROSTER_RETRIES,
    });

  const sync = (userId: string, member: boolean, asOf: bigint, origin: Origin) =>
    roster({ type: 'SyncManager', data: { userId, member, asOf, now: deps.clock.now().toISOString() } }, origin);

  /** Tells the roster what the user's stream says now, after an append that did not happen as announced. */
  const resync = async (userId: string, origin: Origin) => {
    const { state, revision } = await foldStream(deps.store, userStreamName(userId), userDecider);
    if (revision !== undefined) await sync(userId, isActiveManager(state), revision, origin);
  };

  const currentUser = async (userId: string): Promise<UserState> =>
    (await foldStream(deps.store, userStreamName(userId), userDecider)).state;

  const run = async (userId: string, command: UserCommand, origin: Origin, expectedRevision?: bigint): Promise<UserCommandResult> => {
    const stream = userStreamName(userId);
    for (let attempt = 1; ; attempt++) {
      // A remembered state saves re-reading the stream, but only a decision
      // that ends in an append stands on it: that append's revision check
      // proves the state was current. Anything else (a no-op, a refusal, a
      // stale If-Match) is decided again on the stream itself.
      const remembered = attempt === 1 ? states.get(stream) : undefined;
      const { state, revision } = remembered ?? (await foldStream(deps.store, stream, userDecider));
      let events: readonly UserEvent[];
      try {
        authorise(command, state);
        if (expectedRevision !== undefined && expectedRevision !== revision) {
          throw new ExpectedRevisionMismatchError(stream, expectedRevision, revision ?? 'no_stream');
        }
        events = userDecider.decide(command, state);
      } catch (err) {
        if (remembered) continue;
        throw err;
      }
      if (remembered && events.length === 0) continue;
      if (events.length === 0) {
        if (isActiveManager(state) && revision !== undefined) await sync(userId, true, revision, origin);
        return { newEvents: events, newState: state, nextExpectedRevision: revision, position: undefined };
      }
      const newState = events.reduce(userDecider.evolve, state);
      const target = (revision ?? -1n) + BigInt(events.length);
      const leaves = isActiveManager(state) && !isActiveManager(newState);
      if (leaves) {
        await roster({ type: 'AnnounceManagerLeaving', data: { userId, asOf: target, now: deps.clock.now().toISOString() } }, origin);
      }
      let appended: AppendResult;
      try {
        appended = await appendDecided(deps.store, stream, events, revision ?? 'no_stream', context(origin));
      } catch (err) {
        if (!(err instanceof WrongExpectedRevisionError)) {
          // Best effort: if this fails too, the roster stays one short, which is safe.
          if (leaves) await resync(userId, origin).catch(() => undefined);
          throw err;
        }
        states.forget(stream);
        if (leaves) await resync(userId, origin);
        if (expectedRevision !== undefined) throw new ExpectedRevisionMismatchError(stream, expectedRevision, err.actual);
        if (attempt >= MAX_ATTEMPTS) throw err;
        continue;
      }
      states.remember(stream, { state: newState, revision: appended.nextExpectedRevision });
      if (!isActiveManager(state) && isActiveManager(newState)) await sync(userId, true, target, origin);
      return { newEvents: events, newState, nextExpectedRevision: appended.nextExpectedRevision, position: appended.position };
    }
  };

  const now = () => deps.clock.now().toISOString();

  /**
   * A change of role or status answers once every process's view has it. A
   * repeat that changed nothing waits for the stream's last event: the first
   * attempt may have been cut off before it waited.
   */
  const settled = async (userId: string, result: UserCommandResult): Promise<UserCommandResult> => {
    const position =
      result.position ?? (await deps.store.readStream(userStreamName(userId), { direction: 'backwards', maxCount: 1 }))[0]?.position;
    const revision = result.nextExpectedRevision;
    if (position && revision !== undefined) await deps.accessChanged({ userId, state: result.newState, revision, position });
    return result;
  };

  return {
    /** Records a new user; a MANAGER also joins the roster. Email reservation and credentials are the caller's. */
    register: (input: { userId: string; email: string; displayName: string; role: Role }, origin: Origin) =>
      run(input.userId, { type: 'RegisterUser', data: { ...input, now: now() } }, origin),

    changeRole: async (userId: string, to: Role, actor: Actor, origin: Origin, expectedRevision?: bigint) =>
      settled(userId, await run(userId, { type: 'ChangeUserRole', data: { to, actor, now: now() } }, origin, expectedRevision)),

    /** Also ends every session of the user: their refresh tokens are revoked (again, on a repeat). */
    async deactivate(userId: string, reason: string | undefined, actor: Actor, origin: Origin, expectedRevision?: bigint) {
      const command: UserCommand = {
        type: 'DeactivateUser',
        data: { ...(reason !== undefined && { reason }), actor, now: now() },
      };
      const result = await run(userId, command, origin, expectedRevision);
      await deps.db
        .updateTable('auth.refresh_tokens')
        // Sessions live on the wall clock, whatever clock the command runs on.
        .set({ revoked_at: deps.wall.now() })
        .where('user_id', '=', userId)
        .where('revoked_at', 'is', null)
        .execute();
      return settled(userId, result);
    },

    reactivate: async (userId: string, actor: Actor, origin: Origin, expectedRevision?: bigint) =>
      settled(userId, await run(userId, { type: 'ReactivateUser', data: { actor, now: now() } }, origin, expectedRevision)),

    currentUser,
  };
};

export type UserCommands = ReturnType<typeof createUserCommands>;
