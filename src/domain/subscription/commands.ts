import type { Discount } from '../customer/index.js';
import type { Command } from '../shared/index.js';
import type { PauseCause, PlanPrice } from './state.js';

/**
 * What the application layer read from the plan's and the contract's streams
 * when the command was issued; the decider judges them, it cannot read them.
 */
export type PlanAtCommand = PlanPrice & Readonly<{ status: 'none' | 'active' | 'archived'; trialDays: number }>;
export type ContractAtCommand = Readonly<{
  contractId: string;
  customerId: string;
  status: 'NONE' | 'DRAFT' | 'ACTIVE' | 'SUSPENDED' | 'TERMINATED' | 'EXPIRED';
  /** When the contract is in force: a new subscription starts within it. */
  startsAt?: string;
  endsAt?: string;
}>;

export type CreateSubscription = Command<
  'CreateSubscription',
  { subscriptionId: string; contract: ContractAtCommand; plan: PlanAtCommand; quantity: number; now: string }
>;
export type PauseSubscription = Command<'PauseSubscription', { by: PauseCause; now: string }>;
/**
 * `onlyIfPausedBy: 'contract'` is the contract cascade's resume: it leaves a
 * subscription the customer paused themselves as it is.
 */
export type ResumeSubscription = Command<
  'ResumeSubscription',
  { contract: ContractAtCommand; onlyIfPausedBy?: PauseCause; now: string }
>;
export type ChangePlan = Command<'ChangePlan', { plan: PlanAtCommand; now: string }>;
export type ChangeQuantity = Command<'ChangeQuantity', { quantity: number; now: string }>;
/** `prorate: false` asks the billing engine not to credit the unused part of an immediate cancellation. */
export type CancelSubscription = Command<
  'CancelSubscription',
  { atPeriodEnd: boolean; prorate?: boolean; reason?: string; now: string }
>;
export type ReactivateSubscription = Command<'ReactivateSubscription', { now: string }>;
export type ExpireSubscription = Command<'ExpireSubscription', { reason?: string; now: string }>;
/** Sent by the scheduler once `trialEnd` has passed. */
export type EndTrial = Command<'EndTrial', { now: string }>;
/**
 * Sent by collections when an invoice's payment fails, and when that invoice
 * is settled (paid, voided or written off). Each names its invoice: the
 * subscription recovers once every invoice that made it past due is settled.
 */
export type MarkPastDue = Command<'MarkPastDue', { invoiceId: string; now: string }>;
export type MarkRecovered = Command<'MarkRecovered', { invoiceId: string; now: string }>;
/**
 * A coupon's discount on a subscription that has not ended: at most one at a
 * time, another coupon's is refused (remove it first); the same redemption
 * again changes nothing. The application redeemed the coupon first.
 */
export type ApplySubscriptionDiscount = Command<'ApplySubscriptionDiscount', { discount: Discount; now: string }>;
export type RemoveSubscriptionDiscount = Command<'RemoveSubscriptionDiscount', { now: string }>;

export type SubscriptionCommand =
  | CreateSubscription
  | PauseSubscription
  | ResumeSubscription
  | ChangePlan
  | ChangeQuantity
  | CancelSubscription
  | ReactivateSubscription
  | ExpireSubscription
  | EndTrial
  | MarkPastDue
  | MarkRecovered
  | ApplySubscriptionDiscount
  | RemoveSubscriptionDiscount;
