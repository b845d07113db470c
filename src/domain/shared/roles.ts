export const ROLES = ['USER', 'ADMIN', 'MANAGER', 'AUDITOR'] as const;
export type Role = (typeof ROLES)[number];

/**
 * Who acts: the one type for it, in the domain, in the API and in every
 * event's metadata (`{ id, role }`, or `{ id }` for the system). An actor is
 * - a user (`usr_…`), with the role they act in now;
 * - an API key (`key_…`), with the role its maker has now and the maker's
 *   id as `onBehalfOf`;
 * - or a part of the system (`system:…`, one of SYSTEM_ACTORS), with no role,
 *   which no role check lets through.
 */
export type Actor = Readonly<{ id: string; role?: Role; onBehalfOf?: string }>;

/** The user an actor acts for: a key's maker, or the user themselves. What "own data" is checked against. */
export const userOf = (actor: Actor): string => actor.onBehalfOf ?? actor.id;

/** The parts of the system that send commands of their own accord, each under its own name in the audit trail. */
export const SYSTEM_ACTORS = {
  /** The operator's command line. */
  cli: { id: 'system:cli' },
  /** The scheduler's triggers (billing runs, expiries, dunning retries). */
  scheduler: { id: 'system:scheduler' },
  /** The contract cascades' process manager. */
  cascade: { id: 'system:cascade' },
  /** The collections process manager and its charge jobs. */
  collections: { id: 'system:collections' },
  /** Outbound webhooks: an endpoint disabled after five days of failures. */
  webhooks: { id: 'system:webhooks' },
  /** `billstream simulate`'s scenario. */
  simulate: { id: 'system:simulate' },
  /** A request without an access token (registering, logging in). */
  anonymous: { id: 'anonymous' },
} as const satisfies Record<string, Actor>;
