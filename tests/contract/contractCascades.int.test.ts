import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONTRACT_CASCADES, createContractCascades, type ContractCascades } from '../../src/application/contract/index.js';
import {
  comparePositions,
  createPostgresEventStore,
  hasReached,
  parsePosition,
  type PostgresEventStore,
  type Position,
} from '../../src/eventstore/index.js';
import { createSilentLogger } from '../../src/logger/index.js';
import { getCheckpoint } from '../../src/projections/runtime/index.js';
import { createTestDatabase, type TestDatabase } from '../support/db.js';
import { AT, billing, countEvents, countPaused } from './billing.js';

let database: TestDatabase;
let store: PostgresEventStore;
let cascades: ContractCascades;
let b: ReturnType<typeof billing>;

const startCascades = () => {
  const pm = createContractCascades({ db: database.db, store, logger: createSilentLogger(), retryDelayMs: 100 });
  pm.start();
  return pm;
};

/** Until the process manager has handled everything up to `position` (and committed it). */
const passed = (position: Position | undefined) =>
  expect
    .poll(
      async () => {
        const { position: at } = await cascades.status();
        return at !== null && hasReached(parsePosition(at), position!);
      },
      { timeout: 30_000, interval: 20 },
    )
    .toBe(true);

/**
 * 'lagging' writes the whole scenario with the process manager stopped and
 * starts it afterwards, so it meets every event after the later ones exist.
 */
type Mode = 'live' | 'lagging';
const modes: Mode[] = ['live', 'lagging'];
const lagFrom = async (mode: Mode) => {
  if (mode === 'lagging') await cascades.stop();
};
const catchUp = (mode: Mode) => {
  if (mode === 'lagging') cascades = startCascades();
};

beforeAll(async () => {
  database = await createTestDatabase({ poolSize: 20 });
  store = createPostgresEventStore({ pool: database.pool });
  b = billing(store);
  cascades = startCascades();
});
afterAll(async () => {
  await cascades.stop();
  await store.close();
  await database.close();
});

describe('contract cascades', () => {
  it.each(modes)('suspension pauses ACTIVE and TRIALING subscriptions; resumption resumes exactly those (%s)', async (mode) => {
    await lagFrom(mode);
    const [monthly, trial] = [await b.plan(0), await b.plan(14)];
    const contractId = await b.contract();
    const active = await b.subscribe(contractId, monthly);
    const trialing = await b.subscribe(contractId, trial);
    const pastDue = await b.subscribe(contractId, monthly);
    await b.subscriptionCommand(pastDue, { type: 'MarkPastDue', data: { invoiceId: 'inv_1', now: AT.customer } });
    const customerPaused = await b.subscribe(contractId, monthly);
    await b.subscriptionCommand(customerPaused, { type: 'PauseSubscription', data: { by: 'request', now: AT.customer } });

    const suspended = await b.contractCommand(contractId, { type: 'SuspendContract', data: { now: AT.suspend } });
    catchUp(mode);
    await passed(suspended.position);
    expect(await b.subscription(active)).toMatchObject({ status: 'PAUSED', pausedBy: 'contract', pausedAt: AT.suspend });
    expect(await b.subscription(trialing)).toMatchObject({ status: 'PAUSED', pausedBy: 'contract' });
    expect(await b.subscription(pastDue)).toMatchObject({ status: 'PAST_DUE' });
    expect(await b.subscription(customerPaused)).toMatchObject({ status: 'PAUSED', pausedBy: 'request', pausedAt: AT.customer });

    // The command is the suspension's, at its instant, under its correlation.
    const [suspension] = await store.readStream(`contract-${contractId}`, { direction: 'backwards', maxCount: 1 });
    const pause = (await b.events(active)).at(-1)!;
    expect(pause.metadata).toMatchObject({
      commandId: `cascade:${suspension!.eventId}:${active}`,
      causationId: suspension!.eventId,
      correlationId: suspension!.metadata.correlationId,
      actor: { id: 'system:cascade' },
      source: 'process:contract-cascades',
      occurredAt: AT.suspend,
    });

    const resumed = await b.contractCommand(contractId, { type: 'ResumeContract', data: { now: AT.resume } });
    await passed(resumed.position);
    expect(await b.subscription(active)).toMatchObject({ status: 'ACTIVE', currentPeriodStart: AT.resume });
    expect(await b.subscription(trialing)).toMatchObject({ status: 'ACTIVE', currentPeriodStart: AT.resume });
    expect(await b.subscription(pastDue)).toMatchObject({ status: 'PAST_DUE' });
    expect(await b.subscription(customerPaused)).toMatchObject({ status: 'PAUSED', pausedBy: 'request' });
  });

  it('pauses a PAST_DUE subscription that is paid while its contract is suspended', async () => {
    const contractId = await b.contract();
    const pastDue = await b.subscribe(contractId, await b.plan(0));
    await b.subscriptionCommand(pastDue, { type: 'MarkPastDue', data: { invoiceId: 'inv_4', now: AT.customer } });
    await passed((await b.contractCommand(contractId, { type: 'SuspendContract', data: { now: AT.suspend } })).position);
    expect(await b.subscription(pastDue)).toMatchObject({ status: 'PAST_DUE' });

    const paid = await b.subscriptionCommand(pastDue, { type: 'MarkRecovered', data: { invoiceId: 'inv_4', now: AT.lateCreate } });
    await passed(paid.position!);
    expect(await b.subscription(pastDue)).toMatchObject({ status: 'PAUSED', pausedBy: 'contract', pausedAt: AT.lateCreate });
    const resumed = await b.contractCommand(contractId, { type: 'ResumeContract', data: { now: AT.resume } });
    await passed(resumed.position);
    expect(await b.subscription(pastDue)).toMatchObject({ status: 'ACTIVE' });
  });

  it('termination cancels every live subscription at once; expiry expires them', async () => {
    const monthly = await b.plan(0);
    const terminated = await b.contract();
    const live = [await b.subscribe(terminated, monthly), await b.subscribe(terminated, await b.plan(14))];
    const pastDue = await b.subscribe(terminated, monthly);
    await b.subscriptionCommand(pastDue, { type: 'MarkPastDue', data: { invoiceId: 'inv_2', now: AT.customer } });
    const paused = await b.subscribe(terminated, monthly);
    await b.subscriptionCommand(paused, { type: 'PauseSubscription', data: { by: 'request', now: AT.customer } });
    const done = await b.contractCommand(terminated, { type: 'TerminateContract', data: { reason: 'breach', now: AT.suspend } });
    await passed(done.position);
    for (const id of [...live, pastDue, paused]) {
      expect(await b.subscription(id)).toMatchObject({ status: 'CANCELED', canceledAt: AT.suspend });
      expect((await b.events(id)).at(-1)!.data).toMatchObject({ atPeriodEnd: false, reason: 'contract_terminated' });
    }

    // Expiry of a suspended contract: its paused subscriptions expire too.
    const expiring = await b.contract(AT.end);
    const subs = [await b.subscribe(expiring, monthly), await b.subscribe(expiring, monthly)];
    await b.subscriptionCommand(subs[1]!, { type: 'MarkPastDue', data: { invoiceId: 'inv_3', now: AT.customer } });
    await b.contractCommand(expiring, { type: 'SuspendContract', data: { now: AT.suspend } });
    const expired = await b.contractCommand(expiring, { type: 'ExpireContract', data: { now: AT.end } });
    await passed(expired.position);
    for (const id of subs) expect(await b.subscription(id)).toMatchObject({ status: 'EXPIRED', expiredAt: AT.end });
  });

  it.each(modes)('reconciles a subscription created, or resumed by its customer, on a stale read of the contract (%s)', async (mode) => {
    await lagFrom(mode);
    const monthly = await b.plan(0);
    const contractId = await b.contract();
    const stale = await b.contractAtCommand(contractId);
    const pausedByCustomer = await b.subscribe(contractId, monthly);
    await b.subscriptionCommand(pausedByCustomer, { type: 'PauseSubscription', data: { by: 'request', now: AT.customer } });
    await b.contractCommand(contractId, { type: 'SuspendContract', data: { now: AT.suspend } });
    // Both commands read the contract as ACTIVE before its suspension, and append after it.
    const late = await b.subscribe(contractId, monthly, { at: AT.lateCreate, stale });
    const resumed = await b.subscriptionCommand(pausedByCustomer, {
      type: 'ResumeSubscription',
      data: { contract: stale, now: AT.lateCreate },
    });
    catchUp(mode);
    await passed(resumed.position);
    // Lagging, the suspension reaches a subscription resumed after it: paused then, not back in time.
    for (const id of [late, pausedByCustomer]) {
      expect(await b.subscription(id)).toMatchObject({ status: 'PAUSED', pausedBy: 'contract', pausedAt: AT.lateCreate });
    }
    const back = await b.contractCommand(contractId, { type: 'ResumeContract', data: { now: AT.resume } });
    await passed(back.position);
    for (const id of [late, pausedByCustomer]) expect(await b.subscription(id)).toMatchObject({ status: 'ACTIVE' });

    // After termination, a late creation is canceled.
    const ended = await b.contract();
    const staleEnded = await b.contractAtCommand(ended);
    await b.contractCommand(ended, { type: 'TerminateContract', data: { now: AT.suspend } });
    const orphan = await b.subscribe(ended, monthly, { at: AT.lateCreate, stale: staleEnded });
    await expect.poll(async () => (await b.subscription(orphan)).status).toBe('CANCELED');
  });

  it('replays its whole input without writing anything, and an old suspension does not pause again', async () => {
    const monthly = await b.plan(0);
    const contractId = await b.contract();
    const sub = await b.subscribe(contractId, monthly);
    await b.subscriptionCommand(sub, { type: 'PauseSubscription', data: { by: 'request', now: AT.customer } });
    await b.contractCommand(contractId, { type: 'SuspendContract', data: { now: AT.suspend } });
    await b.contractCommand(contractId, { type: 'ResumeContract', data: { now: AT.resume } });
    const contract = await b.contractAtCommand(contractId);
    const own = await b.subscriptionCommand(sub, { type: 'ResumeSubscription', data: { contract, now: AT.customerAgain } });
    await passed(own.position);
    expect(await b.subscription(sub)).toMatchObject({ status: 'ACTIVE' });

    await cascades.stop();
    const before = await countEvents(database.db);
    const head = await store.headPosition();
    await database.pool.query(`update read.projection_checkpoints set commit = null, prepare = null, events_applied = 0 where name = $1`, [
      CONTRACT_CASCADES,
    ]);
    await database.pool.query('delete from cascade.contract_subscriptions');
    cascades = startCascades();
    await passed(head);

    expect(await countEvents(database.db)).toBe(before);
    expect(await b.subscription(sub)).toMatchObject({ status: 'ACTIVE' });
  });
});

const cascadeProcess = fileURLToPath(new URL('../support/cascadeProcess.ts', import.meta.url));
const exited = (child: ChildProcess) =>
  new Promise<NodeJS.Signals | number | null>((resolve) => child.once('exit', (code, signal) => resolve(signal ?? code)));

it('issues no duplicate when killed in the middle of a cascade over 200 subscriptions and restarted', async () => {
  await cascades.stop();
  const monthly = await b.plan(0);
  const contractId = await b.contract();
  const subs = await b.subscribeMany(contractId, monthly, 200);
  const known = async () =>
    Number((await database.pool.query('select count(*) from cascade.contract_subscriptions where contract_id = $1', [contractId])).rows[0].count);

  // The child learns the 200 subscriptions, then stops appending after 60 pauses.
  const child = spawn(process.execPath, ['--import', 'tsx', cascadeProcess, database.url, '60'], { stdio: ['ignore', 'pipe', 'inherit'] });
  await expect.poll(known, { timeout: 30_000 }).toBe(200);
  const suspended = await b.contractCommand(contractId, { type: 'SuspendContract', data: { now: AT.suspend } });
  await expect.poll(() => countPaused(database.db, subs), { timeout: 30_000, interval: 10 }).toBeGreaterThanOrEqual(60);
  child.kill('SIGKILL');
  expect(await exited(child)).toBe('SIGKILL');
  // The dead session's transaction ends once PostgreSQL notices; wait for its lock to go.
  await database.pool.query('select 1 from read.projection_checkpoints where name = $1 for update', [CONTRACT_CASCADES]);

  // Killed mid-cascade: part of the pauses written, the checkpoint still before the suspension.
  // The gate closed at 60 completed appends; at most 7 more (of 8 in flight) completed after it.
  const midway = await countPaused(database.db, subs);
  expect(midway).toBeGreaterThanOrEqual(60);
  expect(midway).toBeLessThan(68);
  const checkpoint = await getCheckpoint(database.db, CONTRACT_CASCADES);
  expect(comparePositions(checkpoint!.position!, suspended.position!)).toBeLessThan(0);

  cascades = startCascades();
  await passed(suspended.position);
  expect(await countPaused(database.db, subs)).toBe(200);
  // Before the kill and after the restart alike, each pause is the suspension's command for that subscription.
  const [suspension] = await store.readStream(`contract-${contractId}`, { direction: 'backwards', maxCount: 1 });
  for (const id of subs) {
    const paused = (await b.events(id)).filter((e) => e.type === 'SubscriptionPaused');
    expect(paused).toHaveLength(1);
    expect(paused[0]!.metadata.commandId).toBe(`cascade:${suspension!.eventId}:${id}`);
    expect(await b.subscription(id)).toMatchObject({ status: 'PAUSED', pausedBy: 'contract' });
  }
});
