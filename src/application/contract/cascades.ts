/**
 * Contract cascades: a process manager that turns a contract's status changes
 * into commands on the contract's subscriptions. Suspended → pause the ACTIVE
 * and TRIALING ones (by 'contract'); resumed → resume exactly those paused by
 * 'contract'; terminated → cancel them now; expired → expire them.
 *
 * It runs on the projection runtime under its own checkpoint
 * (`cascade:contracts`, in read.projection_checkpoints) and its own runner, so
 * it is neither rebuilt nor waited for with the read models. `apply` runs
 * inside the checkpoint's transaction and sends its commands from there:
 *
 * - Its map of subscriptions to contracts (cascade.contract_subscriptions) is
 *   filled from SubscriptionCreated in that same transaction, in log order, so
 *   every subscription created before a contract event is known when that
 *   event is processed. A read model could lag behind it.
 * - A crash before the commit replays the batch. Every command has the
 *   commandId `cascade:<triggering eventId>:<subscriptionId>`, its `now` and
 *   occurredAt are the triggering event's instant, so a replayed command is
 *   answered from the store by handleCommand and writes nothing.
 * - A replay must not undo later decisions (a subscription's no-op leaves no
 *   trace to find): a contract event is acted on only while it is the last
 *   status change in the contract's stream. If a later one exists, that one
 *   will be processed and brings the subscriptions to the contract's status.
 * - A subscription can be created, or resumed by its customer, on a stale read
 *   of an ACTIVE contract that was suspended meanwhile. SubscriptionCreated and
 *   SubscriptionResumed are reconciled with the contract's status now (when
 *   its last change precedes them in the log; a later one cascades to them):
 *   the subscription is paused, canceled or expired like the others.
 * - A lagging cascade can reach a subscription its customer changed after the
 *   contract did; its change then takes effect at that later instant, never
 *   before the subscription's last event.
 *
 * Cost: commands are sent while the checkpoint transaction is open, and on
 * PostgreSQL that transaction holds back every subscriber's visibility horizon
 * for as long as the cascade runs. Each cascade sends at most `concurrency`
 * commands at a time.
 */
import { SYSTEM_ACTORS } from '../../domain/shared/index.js';
import pLimit from 'p-limit';
import type { Kysely, Transaction } from 'kysely';
import type { Logger } from 'winston';
import type { Database } from '../../db/index.js';
import { contractDecider, contractStreamName, type ContractState } from '../../domain/contract/index.js';
import { compareInstants, ConflictError } from '../../domain/shared/index.js';
import {
  subscriptionDecider,
  subscriptionStreamName,
  type ContractAtCommand,
  type SubscriptionCommand,
  type SubscriptionCreated,
} from '../../domain/subscription/index.js';
import {
  comparePositions,
  handleCommand,
  fold,
  readOrEmpty,
  type EventStore,
  type RecordedEvent,
} from '../../eventstore/index.js';
import { causedBy, runProcessManager, type ProcessManager, type Projection } from '../../projections/runtime/index.js';
import {
  contractOfSubscription,
  forgetAll,
  forgetSubscription,
  rememberSubscription,
  subscriptionsOfContract,
} from './cascadesTable.js';

export const CONTRACT_CASCADES = 'cascade:contracts';
const CASCADE = { actor: SYSTEM_ACTORS.cascade, source: 'process:contract-cascades' } as const;

/** The instant each status change takes effect; the cascade's commands happen at it. */
const EFFECTIVE_AT: Readonly<Record<string, string>> = {
  ContractActivated: 'activatedAt',
  ContractSuspended: 'suspendedAt',
  ContractResumed: 'resumedAt',
  ContractTerminated: 'terminatedAt',
  ContractExpired: 'expiredAt',
};
const CASCADING = ['ContractSuspended', 'ContractResumed', 'ContractTerminated', 'ContractExpired'];
const TERMINAL = ['SubscriptionCanceled', 'SubscriptionExpired'];
/**
 * Events after which a subscription runs again, with their instant: a
 * customer's resume on a stale read of the contract, or a PAST_DUE one (which
 * a suspension leaves alone) paid while the contract is suspended.
 */
const RUNNING_AGAIN: Readonly<Record<string, string>> = { SubscriptionResumed: 'resumedAt', SubscriptionRecovered: 'recoveredAt' };

/**
 * Refusals that mean "this subscription is not one the cascade applies to"
 * (PAST_DUE cannot pause, an ended one cannot move, a contract that moved on
 * cannot resume anything: its own later event will be processed). Anything
 * else fails the batch, which is retried.
 */
const NOT_APPLICABLE = new Set([
  'subscription.invalid_transition',
  'subscription.cancellation_effective',
  'subscription.contract_not_active',
]);

const effectiveAt = (event: RecordedEvent): string => (event.data as Record<string, string>)[EFFECTIVE_AT[event.type]!]!;
const later = (a: string, b: string): string => (compareInstants(a, b) >= 0 ? a : b);

type Contract = Readonly<{ state: ContractState; lastStatusChange: RecordedEvent | undefined }>;

const readContract = async (store: EventStore, contractId: string): Promise<Contract> => {
  const recorded = await readOrEmpty(store, contractStreamName(contractId));
  return {
    state: fold(contractDecider, recorded).state,
    lastStatusChange: recorded.findLast((r) => r.type in EFFECTIVE_AT),
  };
};

/** What a subscription of a contract in this status must be told; nothing for ACTIVE on reconciliation. */
const commandFor = (state: ContractState, now: string, reconciling: boolean): SubscriptionCommand | undefined => {
  if (state.status === 'NONE') return undefined;
  switch (state.status) {
    case 'SUSPENDED':
      return { type: 'PauseSubscription', data: { by: 'contract', now } };
    case 'ACTIVE': {
      if (reconciling) return undefined;
      const contract: ContractAtCommand = { contractId: state.contractId, customerId: state.customerId, status: state.status };
      return { type: 'ResumeSubscription', data: { contract, onlyIfPausedBy: 'contract', now } };
    }
    case 'TERMINATED':
      return { type: 'CancelSubscription', data: { atPeriodEnd: false, reason: 'contract_terminated', now } };
    case 'EXPIRED':
      return { type: 'ExpireSubscription', data: { reason: 'contract_expired', now } };
    default:
      return undefined;
  }
};

/** The subscription decider, with a cascade's `now` moved up to the subscription's last change when that is later. */
const cascadeDecider: typeof subscriptionDecider = {
  ...subscriptionDecider,
  decide: (command, state) => {
    if (command.type === 'CreateSubscription' || state.status === 'NONE') return subscriptionDecider.decide(command, state);
    const now = later(command.data.now, state.updatedAt);
    return subscriptionDecider.decide({ ...command, data: { ...command.data, now } } as SubscriptionCommand, state);
  },
};

export type ContractCascadesDeps = Readonly<{
  store: EventStore;
  logger: Logger;
  /** Commands in flight at once for one contract. */
  concurrency?: number;
}>;

/** The process manager as a projection: run it through createContractCascades, not with the read models. */
export const contractCascadesProjection = ({ store, logger, concurrency = 8 }: ContractCascadesDeps): Projection => {
  const send = async (subscriptionId: string, command: SubscriptionCommand, trigger: RecordedEvent): Promise<void> => {
    try {
      await handleCommand(
        store,
        subscriptionStreamName(subscriptionId),
        cascadeDecider,
        command,
        causedBy(trigger, `cascade:${trigger.eventId}:${subscriptionId}`, CASCADE, command.data.now),
      );
    } catch (err) {
      if (!(err instanceof ConflictError && NOT_APPLICABLE.has(err.reason))) throw err;
      logger.info('contract cascade: subscription left as it is', { subscriptionId, command: command.type, reason: err.reason });
    }
  };

  const cascade = async (trx: Transaction<Database>, event: RecordedEvent): Promise<void> => {
    const { contractId } = event.data as { contractId: string };
    const contract = await readContract(store, contractId);
    if (contract.lastStatusChange?.eventId !== event.eventId) {
      logger.info('contract cascade: superseded by a later status change', { contractId, event: event.type });
      return;
    }
    const command = commandFor(contract.state, effectiveAt(event), false);
    if (!command) return;
    const subscriptionIds = await subscriptionsOfContract(trx, contractId);
    const limit = pLimit(concurrency);
    // Every command runs to its end before the batch fails, so a retry finds none still in flight.
    const results = await Promise.allSettled(subscriptionIds.map((id) => limit(() => send(id, command, event))));
    const failed = results.find((r) => r.status === 'rejected');
    if (failed) throw failed.reason;
    logger.info('contract cascade done', { contractId, command: command.type, subscriptions: subscriptionIds.length });
  };

  /** A subscription that starts running while its contract is not ACTIVE is brought to the contract's status. */
  const reconcile = async (event: RecordedEvent, subscriptionId: string, contractId: string, at: string): Promise<void> => {
    const { state, lastStatusChange: change } = await readContract(store, contractId);
    // A change later in the log cascades to this subscription itself, which is known by then.
    if (!change || comparePositions(change.position, event.position) > 0) return;
    const now = later(at, effectiveAt(change));
    const command = commandFor(state, now, true);
    if (command) await send(subscriptionId, command, event);
  };

  const apply = async (trx: Transaction<Database>, event: RecordedEvent): Promise<void> => {
    if (event.type === 'SubscriptionCreated') {
      const { subscriptionId, contractId, createdAt } = (event as unknown as SubscriptionCreated).data;
      await rememberSubscription(trx, contractId, subscriptionId);
      await reconcile(event, subscriptionId, contractId, createdAt);
    } else if (event.type in RUNNING_AGAIN) {
      const data = event.data as Record<string, string>;
      const subscriptionId = data.subscriptionId!;
      const contractId = await contractOfSubscription(trx, subscriptionId);
      if (contractId !== undefined) await reconcile(event, subscriptionId, contractId, data[RUNNING_AGAIN[event.type]!]!);
    } else if (TERMINAL.includes(event.type)) {
      await forgetSubscription(trx, (event.data as { subscriptionId: string }).subscriptionId);
    } else if (CASCADING.includes(event.type)) {
      await cascade(trx, event);
    }
  };

  return {
    name: CONTRACT_CASCADES,
    filter: { eventTypes: ['SubscriptionCreated', ...Object.keys(RUNNING_AGAIN), ...TERMINAL, ...CASCADING] },
    apply: async (trx, events) => {
      // One at a time, in log order: a resume must not overtake its suspension.
      for (const event of events) await apply(trx, event);
    },
    reset: (trx) => forgetAll(trx),
  };
};

export type ContractCascades = ProcessManager;

export type ContractCascadesOptions = ContractCascadesDeps &
  Readonly<{ db: Kysely<Database>; batchSize?: number; retryDelayMs?: number }>;

export const createContractCascades = (options: ContractCascadesOptions): ContractCascades =>
  runProcessManager(contractCascadesProjection(options), { ...options, batchSize: options.batchSize ?? 100 });
