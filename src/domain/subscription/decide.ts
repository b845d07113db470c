import { ConflictError, NotFoundError, ValidationError } from '../shared/index.js';
import { checkContract, checkContractInForce, checkPlan, checkQuantity, priceOf } from './checks.js';
import type { CreateSubscription, SubscriptionCommand } from './commands.js';
import type { SubscriptionEvent } from './events.js';
import { firstPeriod, isBefore, periodAt, sameInterval, trialPeriod } from './period.js';
import type { ExistingSubscription, SubscriptionState, SubscriptionStatus } from './state.js';

type Transition =
  | 'pause'
  | 'resume'
  | 'change_plan'
  | 'change_quantity'
  | 'cancel'
  | 'reactivate'
  | 'expire'
  | 'end_trial'
  | 'mark_past_due'
  | 'recover'
  | 'apply_discount'
  | 'remove_discount';

export const SUBSCRIPTION_TRANSITIONS: Readonly<Record<SubscriptionStatus, readonly Transition[]>> = {
  TRIALING: ['pause', 'change_plan', 'change_quantity', 'cancel', 'reactivate', 'expire', 'end_trial', 'apply_discount', 'remove_discount'],
  ACTIVE: ['pause', 'change_plan', 'change_quantity', 'cancel', 'reactivate', 'expire', 'mark_past_due', 'apply_discount', 'remove_discount'],
  PAST_DUE: ['change_plan', 'change_quantity', 'cancel', 'reactivate', 'expire', 'mark_past_due', 'recover', 'apply_discount', 'remove_discount'],
  PAUSED: ['resume', 'cancel', 'reactivate', 'expire', 'apply_discount', 'remove_discount'],
  CANCELED: [],
  EXPIRED: [],
};

const TRANSITION_OF = {
  PauseSubscription: 'pause',
  ResumeSubscription: 'resume',
  ChangePlan: 'change_plan',
  ChangeQuantity: 'change_quantity',
  CancelSubscription: 'cancel',
  ReactivateSubscription: 'reactivate',
  ExpireSubscription: 'expire',
  EndTrial: 'end_trial',
  MarkPastDue: 'mark_past_due',
  MarkRecovered: 'recover',
  ApplySubscriptionDiscount: 'apply_discount',
  RemoveSubscriptionDiscount: 'remove_discount',
} as const satisfies Record<Exclude<SubscriptionCommand['type'], 'CreateSubscription'>, Transition>;

const RUNNING = new Set<SubscriptionStatus>(['TRIALING', 'ACTIVE', 'PAST_DUE']);
/** Not ended: a paused subscription has no running period, but keeps its plan, quantity and any scheduled cancellation. */
const LIVE = new Set<SubscriptionStatus>([...RUNNING, 'PAUSED']);

/** Commands that change nothing: the subscription already is what they ask for. */
const isNoOp = (command: Exclude<SubscriptionCommand, CreateSubscription>, state: ExistingSubscription): boolean => {
  switch (command.type) {
    case 'PauseSubscription':
      return state.status === 'PAUSED';
    case 'ResumeSubscription':
      return RUNNING.has(state.status) || (state.status === 'PAUSED' && command.data.onlyIfPausedBy !== undefined && command.data.onlyIfPausedBy !== state.pausedBy);
    case 'CancelSubscription':
      return state.status === 'CANCELED' || (command.data.atPeriodEnd && LIVE.has(state.status) && state.cancelAtPeriodEnd);
    case 'ReactivateSubscription':
      return LIVE.has(state.status) && !state.cancelAtPeriodEnd;
    case 'ExpireSubscription':
      return state.status === 'EXPIRED';
    case 'EndTrial':
      return state.status === 'ACTIVE' || state.status === 'PAST_DUE' || state.status === 'PAUSED';
    case 'MarkPastDue':
      return state.status === 'PAST_DUE' && state.pastDueInvoiceIds.includes(command.data.invoiceId);
    // An invoice that never made it past due (paid at once, or failed while paused) leaves it as it is.
    case 'MarkRecovered':
      return state.status === 'ACTIVE' || (state.status === 'PAST_DUE' && !state.pastDueInvoiceIds.includes(command.data.invoiceId));
    // An ended subscription refuses every change, even to what it already has.
    case 'ChangePlan':
      return LIVE.has(state.status) && command.data.plan.planId === state.plan.planId;
    case 'ChangeQuantity':
      return LIVE.has(state.status) && command.data.quantity === state.quantity;
    case 'ApplySubscriptionDiscount':
      return LIVE.has(state.status) && state.discount?.redemptionId === command.data.discount.redemptionId;
    case 'RemoveSubscriptionDiscount':
      return LIVE.has(state.status) && state.discount === undefined;
  }
};

const create = (command: CreateSubscription): SubscriptionEvent[] => {
  const { subscriptionId, contract, plan, quantity, now } = command.data;
  checkContract(contract);
  checkContractInForce(contract, now);
  checkPlan(plan);
  const price = priceOf(plan);
  checkQuantity(price, quantity);
  const start = plan.trialDays > 0 ? trialPeriod(now, plan.trialDays) : firstPeriod(price, now);
  return [
    {
      type: 'SubscriptionCreated',
      data: {
        subscriptionId,
        customerId: contract.customerId,
        contractId: contract.contractId,
        plan: price,
        quantity,
        status: plan.trialDays > 0 ? 'TRIALING' : 'ACTIVE',
        ...start,
        createdAt: now,
      },
    },
  ];
};

/** A scheduled cancellation whose instant has come: paused or not, the subscription ended then. */
const cancellationInEffect = (state: ExistingSubscription, now: string): boolean =>
  LIVE.has(state.status) && state.cancelAtPeriodEnd && state.cancelAt !== undefined && !isBefore(now, state.cancelAt);

const refuse = (state: ExistingSubscription, transition: Transition): never => {
  throw new ConflictError('subscription.invalid_transition', `a ${state.status} subscription cannot ${transition.replace(/_/g, ' ')}`, {
    status: state.status,
    allowedTransitions: SUBSCRIPTION_TRANSITIONS[state.status],
  });
};

export const decideSubscription = (command: SubscriptionCommand, state: SubscriptionState): SubscriptionEvent[] => {
  if (command.type === 'CreateSubscription') {
    if (state.status !== 'NONE') throw new ConflictError('subscription.already_exists', `subscription ${state.subscriptionId} already exists`);
    return create(command);
  }
  if (state.status === 'NONE') throw new NotFoundError('subscription.not_found', 'the subscription does not exist');
  const transition = TRANSITION_OF[command.type];
  const { now } = command.data;
  const running = periodAt(state, now);
  // A cancellation whose period has ended is in effect, even before the scheduler records it; only cancel records it.
  const effective = cancellationInEffect(state, now);
  if (effective && transition !== 'cancel' && transition !== 'expire') {
    throw new ConflictError('subscription.cancellation_effective', `the subscription was canceled at ${state.cancelAt}`, { status: 'CANCELED' });
  }
  if (!effective && isNoOp(command, state)) return [];
  if (!SUBSCRIPTION_TRANSITIONS[state.status].includes(transition)) refuse(state, transition);
  return decideTransition(command, state as ExistingSubscription & { status: 'TRIALING' | 'ACTIVE' | 'PAST_DUE' | 'PAUSED' }, running);
};

type Open = Exclude<ExistingSubscription, { status: 'CANCELED' | 'EXPIRED' }>;

const decideTransition = (
  command: Exclude<SubscriptionCommand, CreateSubscription>,
  state: Open,
  running: { start: string; end: string } | undefined,
): SubscriptionEvent[] => {
  const { subscriptionId } = state;
  switch (command.type) {
    case 'PauseSubscription':
      return [{ type: 'SubscriptionPaused', data: { subscriptionId, by: command.data.by, pausedAt: command.data.now } }];
    case 'ResumeSubscription': {
      const { contract, now } = command.data;
      if (contract.contractId !== state.contractId) throw new ValidationError('subscription.invalid', 'that is not this subscription\'s contract');
      checkContract(contract);
      return [{ type: 'SubscriptionResumed', data: { subscriptionId, ...firstPeriod(state.plan, now), resumedAt: now } }];
    }
    case 'ChangePlan': {
      const { plan, now } = command.data;
      checkPlan(plan);
      const price = priceOf(plan);
      if (price.currency !== state.plan.currency) {
        throw new ValidationError('subscription.currency_mismatch', `the new plan bills in ${price.currency}, this subscription in ${state.plan.currency}`, {
          field: 'planId',
        });
      }
      const quantity = price.pricingModel === 'flat_rate' ? 1 : state.quantity;
      checkQuantity(price, quantity);
      // A trial keeps its end, which anchors whatever interval follows; a new interval otherwise starts now.
      const period =
        state.status === 'TRIALING' || sameInterval(price, state.plan)
          ? { billingAnchor: state.billingAnchor, currentPeriodStart: running!.start, currentPeriodEnd: running!.end }
          : firstPeriod(price, now);
      const changed: SubscriptionEvent = {
        type: 'SubscriptionPlanChanged',
        data: { subscriptionId, plan: price, previousPlanId: state.plan.planId, quantity, ...period, changedAt: now },
      };
      // A cancellation scheduled for the period's end moves to the new period's end (as Stripe does): the period just paid for is used.
      if (!state.cancelAtPeriodEnd || state.cancelAt === period.currentPeriodEnd) return [changed];
      return [changed, { type: 'SubscriptionCancellationScheduled', data: { subscriptionId, cancelAt: period.currentPeriodEnd, scheduledAt: now } }];
    }
    case 'ChangeQuantity': {
      checkQuantity(state.plan, command.data.quantity);
      return [
        {
          type: 'SubscriptionQuantityChanged',
          data: { subscriptionId, quantity: command.data.quantity, previousQuantity: state.quantity, changedAt: command.data.now },
        },
      ];
    }
    case 'CancelSubscription':
      return cancel(command.data, state, running);
    case 'ReactivateSubscription':
      return [{ type: 'SubscriptionCancellationWithdrawn', data: { subscriptionId, withdrawnAt: command.data.now } }];
    case 'ExpireSubscription': {
      const { reason, now } = command.data;
      return [{ type: 'SubscriptionExpired', data: { subscriptionId, ...(reason !== undefined && { reason }), expiredAt: now } }];
    }
    case 'EndTrial': {
      // The trial's own end: a plan change after it passed has already moved the current period on.
      const trialEnd = state.trialEnd ?? state.currentPeriodEnd;
      if (isBefore(command.data.now, trialEnd)) throw new ConflictError('subscription.trial_not_ended', `the trial runs until ${trialEnd}`, { trialEnd });
      return [{ type: 'SubscriptionTrialEnded', data: { subscriptionId, ...firstPeriod(state.plan, state.billingAnchor), endedAt: trialEnd } }];
    }
    case 'MarkPastDue':
      return [{ type: 'SubscriptionPastDue', data: { subscriptionId, invoiceId: command.data.invoiceId, pastDueAt: command.data.now } }];
    case 'MarkRecovered': {
      const { invoiceId, now } = command.data;
      const others = state.status === 'PAST_DUE' ? state.pastDueInvoiceIds.filter((id) => id !== invoiceId) : [];
      if (others.length > 0) return [{ type: 'SubscriptionInvoiceSettled', data: { subscriptionId, invoiceId, settledAt: now } }];
      return [{ type: 'SubscriptionRecovered', data: { subscriptionId, invoiceId, recoveredAt: now } }];
    }
    case 'ApplySubscriptionDiscount': {
      const { discount, now } = command.data;
      if (state.discount) {
        throw new ConflictError('subscription.discount_exists', `the subscription has coupon ${state.discount.couponId}'s discount: remove it first`, {
          couponId: state.discount.couponId,
        });
      }
      return [{ type: 'SubscriptionDiscountApplied', data: { subscriptionId, ...discount, appliedAt: now } }];
    }
    case 'RemoveSubscriptionDiscount': {
      // isNoOp answered a subscription without one.
      if (!state.discount) return [];
      const { couponId, redemptionId } = state.discount;
      return [{ type: 'SubscriptionDiscountRemoved', data: { subscriptionId, couponId, redemptionId, removedAt: command.data.now } }];
    }
  }
  const _exhaustive: never = command;
  return _exhaustive;
};

const cancel = (
  { atPeriodEnd, prorate, reason, now }: { atPeriodEnd: boolean; prorate?: boolean; reason?: string; now: string },
  state: Open,
  running: { start: string; end: string } | undefined,
): SubscriptionEvent[] => {
  const { subscriptionId } = state;
  const why = reason !== undefined ? { reason } : {};
  // Any cancellation once a scheduled one has come records that one: at the period's end, with nothing to credit.
  if (cancellationInEffect(state, now)) {
    return [
      { type: 'SubscriptionCanceled', data: { subscriptionId, canceledAt: state.cancelAt!, atPeriodEnd: true, prorate: false, ...why, requestedAt: now } },
    ];
  }
  if (atPeriodEnd) {
    if (!running) throw new ConflictError('subscription.not_running', 'a paused subscription has no period to end; cancel it now', { status: state.status });
    return [{ type: 'SubscriptionCancellationScheduled', data: { subscriptionId, cancelAt: running.end, ...why, scheduledAt: now } }];
  }
  return [
    { type: 'SubscriptionCanceled', data: { subscriptionId, canceledAt: now, atPeriodEnd: false, prorate: prorate ?? true, ...why, requestedAt: now } },
  ];
};
