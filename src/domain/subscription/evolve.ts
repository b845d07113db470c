import type { SubscriptionEvent } from './events.js';
import type { ExistingSubscription, SubscriptionState } from './state.js';

type Existing = ExistingSubscription;

/** The facts every status shares, without the fields that belong to one status. */
const live = (state: Existing) => {
  const {
    pausedAt: _pausedAt,
    pausedBy: _pausedBy,
    canceledAt: _canceledAt,
    expiredAt: _expiredAt,
    pastDueSince: _pastDueSince,
    pastDueInvoiceIds: _pastDueInvoiceIds,
    ...rest
  } = state as Existing & Record<string, unknown>;
  return rest as Omit<Existing, 'status'>;
};

/** The same state without a scheduled cancellation: spread over nothing, so `cancelAt` is really gone. */
const withoutScheduledCancellation = <S extends Existing>(state: S): S => {
  const { cancelAt: _cancelAt, ...rest } = state;
  return { ...rest, cancelAtPeriodEnd: false } as S;
};

export const evolveSubscription = (state: SubscriptionState, event: SubscriptionEvent): SubscriptionState => {
  if (event.type === 'SubscriptionCreated') {
    const { createdAt, status, ...facts } = event.data;
    return { ...facts, status, cancelAtPeriodEnd: false, createdAt, updatedAt: createdAt };
  }
  if (state.status === 'NONE') return state;
  switch (event.type) {
    case 'SubscriptionTrialEnded': {
      const { subscriptionId: _id, endedAt, ...period } = event.data;
      return { ...live(state), ...period, status: 'ACTIVE', updatedAt: endedAt };
    }
    case 'SubscriptionPaused':
      return { ...live(state), status: 'PAUSED', pausedAt: event.data.pausedAt, pausedBy: event.data.by, updatedAt: event.data.pausedAt };
    case 'SubscriptionResumed': {
      const { subscriptionId: _id, resumedAt, ...period } = event.data;
      return { ...live(state), ...period, status: 'ACTIVE', updatedAt: resumedAt };
    }
    case 'SubscriptionPlanChanged': {
      const { subscriptionId: _id, previousPlanId: _previous, changedAt, ...change } = event.data;
      return { ...state, ...change, updatedAt: changedAt };
    }
    case 'SubscriptionQuantityChanged':
      return { ...state, quantity: event.data.quantity, updatedAt: event.data.changedAt };
    case 'SubscriptionCancellationScheduled':
      return { ...state, cancelAtPeriodEnd: true, cancelAt: event.data.cancelAt, updatedAt: event.data.scheduledAt };
    case 'SubscriptionCancellationWithdrawn':
      return { ...withoutScheduledCancellation(state), updatedAt: event.data.withdrawnAt };
    case 'SubscriptionCanceled':
      return { ...live(state), status: 'CANCELED', canceledAt: event.data.canceledAt, updatedAt: event.data.requestedAt };
    case 'SubscriptionExpired':
      return { ...live(state), status: 'EXPIRED', expiredAt: event.data.expiredAt, updatedAt: event.data.expiredAt };
    case 'SubscriptionPastDue':
      if (state.status === 'PAST_DUE') {
        return { ...state, pastDueInvoiceIds: [...state.pastDueInvoiceIds, event.data.invoiceId], updatedAt: event.data.pastDueAt };
      }
      return {
        ...live(state),
        status: 'PAST_DUE',
        pastDueSince: event.data.pastDueAt,
        pastDueInvoiceIds: [event.data.invoiceId],
        updatedAt: event.data.pastDueAt,
      };
    case 'SubscriptionInvoiceSettled':
      if (state.status !== 'PAST_DUE') return state;
      return { ...state, pastDueInvoiceIds: state.pastDueInvoiceIds.filter((id) => id !== event.data.invoiceId), updatedAt: event.data.settledAt };
    case 'SubscriptionRecovered':
      return { ...live(state), status: 'ACTIVE', updatedAt: event.data.recoveredAt };
    case 'SubscriptionDiscountApplied': {
      const { subscriptionId: _id, appliedAt, ...discount } = event.data;
      return { ...state, discount, updatedAt: appliedAt };
    }
    case 'SubscriptionDiscountRemoved': {
      const { discount: _discount, ...rest } = state;
      return { ...rest, updatedAt: event.data.removedAt };
    }
  }
};
