import { ConflictError, type Command, type Decider, type Event } from '../shared/index.js';

/**
 * The set of active MANAGERs, as one stream: "the last active MANAGER cannot
 * be demoted or deactivated" spans users, so it is decided here, under this
 * stream's own revision check.
 *
 * The roster is a view of the user streams that converges: for each user it
 * keeps what it was last told and as of which revision of the user's stream
 * (`asOf`). A sync older than what it knows is ignored, so a late report
 * ("member since revision 3") cannot undo a newer one ("gone at revision 4").
 * A provisional entry is a removal announced before the user's stream records
 * it, at the revision that write will have; a confirmed one was read from, or
 * written to, the stream. At the same revision a confirmed entry wins. Only a
 * provisional removal can be refused: it comes before the write it guards,
 * whereas a confirmed sync reports what the user's stream already says.
 *
 * The stream keeps its name: the ManagerAdded and ManagerRemoved events that
 * came before revisions were tracked are read as confirmed entries from before
 * any revision, which the first sync for that user replaces.
 */
export const MANAGER_ROSTER_STREAM = 'manager_roster-all';

/** The revision of entries from before syncs carried one: older than any revision of any stream. */
const BEFORE_ANY_REVISION = -1n;

export type RosterEntry = Readonly<{ member: boolean; asOf: bigint; provisional: boolean }>;

/**
 * Two intents, so that only the one that may be refused can be: a MANAGER about
 * to leave (provisional, before the user's stream records it), and what a user
 * stream says as of a revision (confirmed).
 */
export type ManagerRosterCommand =
  | Command<'AnnounceManagerLeaving', { userId: string; asOf: bigint; now: string }>
  | Command<'SyncManager', { userId: string; member: boolean; asOf: bigint; now: string }>;

export type ManagerRosterEvent =
  /** `asOf` is a decimal string: event data is JSON. */
  | Event<'ManagerSynced', { userId: string; member: boolean; asOf: string; provisional: boolean; syncedAt: string }>
  | Event<'ManagerAdded', { userId: string; addedAt: string }>
  | Event<'ManagerRemoved', { userId: string; removedAt: string }>;

export type ManagerRosterState =
  | Readonly<{ status: 'empty' }>
  | Readonly<{ status: 'tracking'; entries: Readonly<Record<string, RosterEntry>> }>;

const entriesOf = (state: ManagerRosterState): Readonly<Record<string, RosterEntry>> =>
  state.status === 'tracking' ? state.entries : {};

/** The users the roster counts as active MANAGERs, sorted. */
export const rosterMembers = (state: ManagerRosterState): string[] =>
  Object.entries(entriesOf(state))
    .filter(([, entry]) => entry.member)
    .map(([userId]) => userId)
    .sort();

const supersedes = (next: RosterEntry, known: RosterEntry | undefined): boolean => {
  if (known === undefined) return true;
  if (next.asOf !== known.asOf) return next.asOf > known.asOf;
  return known.provisional && !next.provisional;
};

const synced = (userId: string, entry: RosterEntry, now: string): ManagerRosterEvent => ({
  type: 'ManagerSynced',
  data: { userId, member: entry.member, asOf: entry.asOf.toString(), provisional: entry.provisional, syncedAt: now },
});

const decide = (command: ManagerRosterCommand, state: ManagerRosterState): ManagerRosterEvent[] => {
  const { userId, asOf, now } = command.data;
  const known = entriesOf(state)[userId];
  switch (command.type) {
    case 'AnnounceManagerLeaving': {
      const entry: RosterEntry = { member: false, asOf, provisional: true };
      if (!supersedes(entry, known)) return [];
      // Counting only the others: the roster may be one short, never one over.
      if (!rosterMembers(state).some((id) => id !== userId)) {
        throw new ConflictError('user.last_manager', 'the last active MANAGER cannot be demoted or deactivated', { userId });
      }
      return [synced(userId, entry, now)];
    }
    case 'SyncManager': {
      const entry: RosterEntry = { member: command.data.member, asOf, provisional: false };
      return supersedes(entry, known) ? [synced(userId, entry, now)] : [];
    }
  }
  const _exhaustive: never = command;
  return _exhaustive;
};

const withEntry = (state: ManagerRosterState, userId: string, entry: RosterEntry): ManagerRosterState => ({
  status: 'tracking',
  entries: { ...entriesOf(state), [userId]: entry },
});

const evolve = (state: ManagerRosterState, event: ManagerRosterEvent): ManagerRosterState => {
  switch (event.type) {
    case 'ManagerSynced': {
      const { userId, member, asOf, provisional } = event.data;
      return withEntry(state, userId, { member, asOf: BigInt(asOf), provisional });
    }
    case 'ManagerAdded':
      return withEntry(state, event.data.userId, { member: true, asOf: BEFORE_ANY_REVISION, provisional: false });
    case 'ManagerRemoved':
      return withEntry(state, event.data.userId, { member: false, asOf: BEFORE_ANY_REVISION, provisional: false });
  }
};

export const managerRosterDecider: Decider<ManagerRosterState, ManagerRosterCommand, ManagerRosterEvent> = {
  decide,
  evolve,
  initialState: () => ({ status: 'empty' }),
};
