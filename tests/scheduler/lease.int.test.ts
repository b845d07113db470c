import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKysely, createPool } from '../../src/db/pool.js';
import { createSilentLogger } from '../../src/logger/index.js';
import { acquireLease, releaseLease, renewLease } from '../../src/scheduler/runtime/lease.js';
import { LeaseLostError, leasedTrigger, type LeasedRun, type LeasedTrigger } from '../../src/scheduler/runtime/leasedTrigger.js';
import { createTestDatabase, type TestDatabase } from '../support/db.js';

const logger = createSilentLogger();
const never = '0 0 1 1 *';

let database: TestDatabase;
beforeAll(async () => {
  database = await createTestDatabase({ poolSize: 24 });
});
afterAll(async () => {
  await database.close();
});

/** What the database holds for a lease, judged by its own clock. */
const leaseRow = async (name: string) =>
  (
    await sql<{ holder: string; fencing: string; live: boolean }>`
      select holder, fencing, expires_at > now() as live from scheduler.leases where name = ${name}`.execute(database.db)
  ).rows[0];

/** As if the holder had stalled past its TTL: the database now sees the lease expired. */
const expire = (name: string) => sql`update scheduler.leases set expires_at = now() - interval '1 ms' where name = ${name}`.execute(database.db);

/** A trigger whose run hands itself to the test and waits until its signal aborts. */
const parkedTrigger = (name: string) => {
  let parked: LeasedRun | undefined;
  const trigger: LeasedTrigger = {
    name,
    schedule: never,
    run: (run) => {
      parked = run;
      return new Promise<void>((resolve) => run.signal.addEventListener('abort', () => resolve()));
    },
  };
  return { trigger, current: () => parked };
};

describe('scheduler leases', () => {
  it('lets exactly one of 20 concurrent acquirers win, for a new lease and for an expired one', async () => {
    for (let round = 0; round < 25; round++) {
      const name = `race-${round}`;
      const race = () => Promise.all(Array.from({ length: 20 }, (_, i) => acquireLease(database.db, name, `holder-${i}`, 30_000)));
      const first = (await race()).filter((l) => l !== undefined);
      expect(first).toHaveLength(1);
      expect(first[0]!.fencing).toBe(1n);
      await expire(name);
      const second = (await race()).filter((l) => l !== undefined);
      expect(second).toHaveLength(1);
      expect(second[0]!.fencing).toBe(2n);
      expect(await leaseRow(name)).toEqual({ holder: second[0]!.holder, fencing: '2', live: true });
    }
  });

  it('hands an expired lease to the next acquirer with a larger token; the old holder can no longer renew or release it', async () => {
    const old = await acquireLease(database.db, 'expiry', 'old', 30_000);
    expect(await acquireLease(database.db, 'expiry', 'new', 30_000)).toBeUndefined();
    expect(await renewLease(database.db, old!, 30_000)).toBe(true);
    await expire('expiry');
    // Expired is lost, even before anyone takes it: another instance may have run meanwhile.
    expect(await renewLease(database.db, old!, 30_000)).toBe(false);
    const taken = await acquireLease(database.db, 'expiry', 'new', 30_000);
    expect(taken!.fencing).toBeGreaterThan(old!.fencing);
    expect(await renewLease(database.db, old!, 30_000)).toBe(false);
    expect(await releaseLease(database.db, old!)).toBe(false);
    // The same holder's earlier grant is no better than a stranger's.
    expect(await renewLease(database.db, { ...taken!, fencing: old!.fencing }, 30_000)).toBe(false);
    expect(await leaseRow('expiry')).toEqual({ holder: 'new', fencing: String(taken!.fencing), live: true });
  });

  it('aborts a run whose lease was taken over, at its next renewal, and leaves the new holder alone', async () => {
    const { trigger, current } = parkedTrigger('takeover');
    const leased = leasedTrigger(trigger, { db: database.db, logger, holder: 'old', ttlMs: 3_000 });
    const running = leased.run(new AbortController().signal);
    await expect.poll(current).toBeDefined();
    const run = current()!;
    expect(run.stillHolding()).toBe(true);
    await expire('takeover');
    const taken = await acquireLease(database.db, 'takeover', 'new', 30_000);
    expect(taken!.fencing).toBe(run.lease.fencing + 1n);
    // Renewals run every ttl/3: the next one finds the lease gone.
    await expect.poll(() => run.signal.aborted, { timeout: 5_000 }).toBe(true);
    expect(run.signal.reason).toBeInstanceOf(LeaseLostError);
    expect((run.signal.reason as LeaseLostError).loss).toBe('taken over');
    expect(run.stillHolding()).toBe(false);
    expect(() => run.assertHolding()).toThrow(LeaseLostError);
    await expect(running).resolves.toBeUndefined();
    expect(await leaseRow('takeover')).toEqual({ holder: 'new', fencing: String(taken!.fencing), live: true });
  });

  it('stops a run by its own clock when renewals cannot reach the database; the lease then lapses for the others', async () => {
    const pool = createPool({ connectionString: database.url, max: 1 });
    const unreachable = createKysely(pool);
    const { trigger, current } = parkedTrigger('partition');
    const running = leasedTrigger(trigger, { db: unreachable, logger, holder: 'cut-off', ttlMs: 600 }).run(new AbortController().signal);
    await expect.poll(current).toBeDefined();
    const run = current()!;
    await unreachable.destroy();
    await expect.poll(() => run.signal.aborted).toBe(true);
    expect((run.signal.reason as LeaseLostError).loss).toBe('expired');
    await expect(running).resolves.toBeUndefined();
    await expect.poll(() => acquireLease(database.db, 'partition', 'next', 30_000)).toBeDefined();
    expect((await leaseRow('partition'))!.holder).toBe('next');
  });

  it('skips a firing while another instance holds the lease, and releases it after each run so the next firing anywhere takes it', async () => {
    const other = await acquireLease(database.db, 'skip', 'other', 30_000);
    const fencings: bigint[] = [];
    const leased = leasedTrigger(
      { name: 'skip', schedule: never, run: async ({ lease }) => void fencings.push(lease.fencing) },
      { db: database.db, logger, holder: 'me', ttlMs: 30_000 },
    );
    await leased.run(new AbortController().signal);
    expect(fencings).toEqual([]);
    await releaseLease(database.db, other!);
    await leased.run(new AbortController().signal);
    await leased.run(new AbortController().signal);
    expect(fencings).toEqual([2n, 3n]);
    expect((await leaseRow('skip'))!.live).toBe(false);
    expect((await acquireLease(database.db, 'skip', 'other', 30_000))!.fencing).toBe(4n);
  });

  it('passes on a failing run after releasing its lease, and ends a stopped run quietly', async () => {
    const failing = leasedTrigger(
      { name: 'failing', schedule: never, run: async () => Promise.reject(new Error('boom')) },
      { db: database.db, logger, holder: 'me' },
    );
    await expect(failing.run(new AbortController().signal)).rejects.toThrow('boom');
    expect((await leaseRow('failing'))!.live).toBe(false);

    const { trigger, current } = parkedTrigger('stopping');
    const stopped = leasedTrigger(
      { ...trigger, run: async (run) => (await trigger.run(run), run.signal.throwIfAborted()) },
      { db: database.db, logger, holder: 'me' },
    );
    const stop = new AbortController();
    const running = stopped.run(stop.signal);
    await expect.poll(current).toBeDefined();
    stop.abort();
    // The run threw its AbortError; stopping is not a failure.
    await expect(running).resolves.toBeUndefined();
    expect(current()!.signal.aborted).toBe(true);
    expect((await leaseRow('stopping'))!.live).toBe(false);
  });
});
