import { wallClock, type Clock, type Clocks } from './clock.js';
import type { Kysely } from 'kysely';
import type { Database } from '../db/index.js';

export type SimulatedClockTable = { id: number; now: Date | string };

export type SimulatedClock = Clock & Readonly<{ set: (to: Date) => Promise<void> }>;

/**
 * A clock that moves only when told to (CLOCK=simulated), for test clocks and
 * simulations: every command, billing run and trigger reads its instant. It
 * lives in this process and is kept in clock.simulated, so a restart resumes
 * at the same instant. One process runs a simulated system: another would
 * keep its own time.
 */
export const loadSimulatedClock = async (db: Kysely<Database>, start: Date): Promise<SimulatedClock> => {
  const row = await db.selectFrom('clock.simulated').select('now').executeTakeFirst();
  let current = row ? new Date(row.now) : start;
  if (!row) await db.insertInto('clock.simulated').values({ id: 1, now: current }).execute();
  return {
    now: () => new Date(current),
    set: async (to) => {
      await db.updateTable('clock.simulated').set({ now: to }).where('id', '=', 1).execute();
      current = new Date(to);
    },
  };
};

/** The tables this module owns; src/root/database.ts gathers every module's map into the Database. */
export type ClockTables = {
  'clock.simulated': SimulatedClockTable;
};

/**
 * The process's clocks (see Clocks): a simulated domain clock under
 * CLOCK=simulated, starting at CLOCK_START (or now) the first time and where
 * it stopped after a restart; otherwise the wall clock for both.
 */
export const openClocks = async (
  db: Kysely<Database>,
  config: Readonly<{ CLOCK: 'system' | 'simulated'; CLOCK_START?: string | undefined }>,
): Promise<Clocks<SimulatedClock>> => {
  if (config.CLOCK !== 'simulated') return { wall: wallClock, domain: wallClock, simulated: undefined };
  const simulated = await loadSimulatedClock(db, config.CLOCK_START ? new Date(config.CLOCK_START) : wallClock.now());
  return { wall: wallClock, domain: simulated, simulated };
};
