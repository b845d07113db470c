import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { sql, type ColumnType, type RawBuilder } from 'kysely';
import type { Db, Int8 } from '../../db/index.js';

/**
 * scheduler.leases: which instance runs each trigger, until when. Every
 * comparison with `expires_at` is made against the database's `now()`, never
 * an instance's clock, so instances whose clocks disagree still agree on who
 * holds a lease.
 */
export type SchedulerLeasesTable = {
  name: string;
  holder: string;
  expires_at: ColumnType<Date, Date | string, Date | string>;
  /** Taken anew on every acquisition, and never reused: the row is never deleted. */
  fencing: Int8;
};

/** One acquisition of a lease: renewing and releasing need all three, so a holder's older grant matches nothing. */
export type Lease = Readonly<{ name: string; holder: string; fencing: bigint }>;

export const DEFAULT_LEASE_TTL_MS = 30_000;

/** Names this process as a holder in scheduler.leases: where it runs, and a random part for two in one process. */
export const leaseHolderId = (): string => `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;

const TABLE = 'scheduler.leases';
const expiresIn = (ttlMs: number) => sql<Date>`now() + make_interval(secs => ${ttlMs / 1000}::float8)`;

/**
 * Takes the lease when no one has it or its holder's has expired, even the
 * same holder's: each acquisition is a new grant with the next fencing token.
 * Undefined while anyone holds it. Concurrent acquirers are serialised on the
 * row (the insert's unique key, or the update's row lock, re-checked after the
 * winner commits), so exactly one wins.
 */
export const acquireLease = async (db: Db, name: string, holder: string, ttlMs: number): Promise<Lease | undefined> => {
  const row = await db
    .insertInto(TABLE)
    .values({ name, holder, expires_at: expiresIn(ttlMs), fencing: 1 })
    .onConflict((oc) =>
      oc
        .column('name')
        .doUpdateSet((eb) => ({
          holder: eb.ref('excluded.holder'),
          expires_at: eb.ref('excluded.expires_at'),
          fencing: sql<string>`${sql.ref(`${TABLE}.fencing`)} + 1`,
        }))
        .where(`${TABLE}.expires_at`, '<=', sql<Date>`now()`),
    )
    .returning('fencing')
    .executeTakeFirst();
  return row ? { name, holder, fencing: BigInt(row.fencing) } : undefined;
};

/** Moves the expiry of this grant, if it is still this grant's and unexpired; true when it was. */
const setWhileHeld = async (db: Db, lease: Lease, expiresAt: RawBuilder<Date>): Promise<boolean> => {
  const result = await db
    .updateTable(TABLE)
    .set({ expires_at: expiresAt })
    .where('name', '=', lease.name)
    .where('holder', '=', lease.holder)
    .where('fencing', '=', lease.fencing.toString())
    .where('expires_at', '>', sql<Date>`now()`)
    .executeTakeFirst();
  return result.numUpdatedRows === 1n;
};

/** Extends the lease by `ttlMs` from now. False when it was lost: expired, or taken over since. */
export const renewLease = async (db: Db, lease: Lease, ttlMs: number): Promise<boolean> => {
  // An expired lease is not revived: another instance may have skipped a firing on it and run since.
  return setWhileHeld(db, lease, expiresIn(ttlMs));
};

/**
 * Ends the lease now, so the next firing on any instance takes it without
 * waiting for the TTL. The row stays, keeping its fencing token for the next
 * holder to increment. False when it was no longer this grant's.
 */
export const releaseLease = async (db: Db, lease: Lease): Promise<boolean> => {
  return setWhileHeld(db, lease, sql<Date>`now()`);
};

/** The tables this module owns; src/root/database.ts gathers every module's map into the Database. */
export type LeaseTables = {
  'scheduler.leases': SchedulerLeasesTable;
};
