import type { Command } from 'commander';
import { idArg, resource, type Reason, type Json, listOptions, type ListOptions, numberArg, type Open, pagingOf, pointInTimeOf, printOutcome, printPage, printShown, run, type Shown, showOptions } from '../shared/index.js';
import { SUBSCRIPTION_STATUSES } from '../../domain/subscription/index.js';
import { cancelInput, presentSubscription, subscriptionExists, subscriptionInput, subscriptions } from '../../application/subscription/index.js';
import { couponChoice } from '../../application/coupon/index.js';
import { idOf, parseInput } from '../../application/shared/index.js';
import { listSubscriptions } from '../../projections/subscription/index.js';
import type { Commerce } from '../../application/index.js';
import { z } from 'zod';


/** `billstream subscriptions …`: subscriptions and their lifecycle, from the terminal. */
type SubscriptionView = ReturnType<typeof presentSubscription>;
export const subscriptionLine = (s: SubscriptionView) =>
  `${s.subscriptionId} (${s.status}, ${s.planId} × ${s.quantity}, period ${s.currentPeriodStart} → ${s.currentPeriodEnd}` +
  `${s.cancelAtPeriodEnd ? `, cancels at ${s.cancelAt}` : ''}${s.discount ? `, discount ${s.discount.couponId}` : ''})`;

/** A coupon argument, checked with the API's schema; a refusal calls it "the id" and says which kind it must be. */
const couponArg = (id: string) => parseInput(z.object({ id: couponChoice.shape.couponId }), { id }, 'subscription.invalid').id;

export const subscriptionResource = resource({
  kind: 'subscription',
  aggregate: subscriptions,
  isExisting: subscriptionExists,
  present: presentSubscription,
  line: subscriptionLine,
});

type SubscriptionOptions = Json & Readonly<{ contract: string; plan: string; quantity?: string }>;
type CancelOptions = Reason & Readonly<{ atPeriodEnd?: boolean; prorate?: boolean }>;

export const registerSubscriptionCommands = (program: Command, open: Open): void => {
  const subscriptions = program.command('subscriptions').description('who pays for which plan, under which contract');
  const commands = (s: { commerce: Commerce }) => s.commerce.subscriptions;

  subscriptions
    .command('create')
    .description('subscribe under an ACTIVE contract to an active plan')
    .requiredOption('--contract <contractId>', 'the contract it hangs on (its customer pays)')
    .requiredOption('--plan <planId>', 'what it bills')
    .option('--quantity <n>', 'units (default 1)')
    .option('--json', 'print JSON in the API shape')
    .action((o: SubscriptionOptions) =>
      run(
        open,
        () => parseInput(subscriptionInput, { contractId: o.contract, planId: o.plan, quantity: numberArg(o.quantity) }, 'subscription.invalid'),
        async (s, input) => printOutcome(subscriptionResource, 'created', await commands(s).create(input, s.ask), o.json),
      ),
    );

  listOptions(subscriptions.command('list').description('subscriptions, oldest first, from the read model'))
    .option('--customer <customerId>', "only this customer's")
    .option('--contract <contractId>', 'only under this contract')
    .option('--plan <planId>', 'only on this plan')
    .option('--status <status>', SUBSCRIPTION_STATUSES.join(', '))
    .action((o: ListOptions & { customer?: string; contract?: string; plan?: string; status?: string }) =>
      run(
        open,
        () => ({
          ...pagingOf('subscription', o),
          ...parseInput(
            z.object({
              customerId: idOf('customer').optional(),
              contractId: idOf('contract').optional(),
              planId: idOf('plan').optional(),
              status: z.enum(SUBSCRIPTION_STATUSES).optional(),
            }),
            { customerId: o.customer, contractId: o.contract, planId: o.plan, status: o.status?.toUpperCase() },
            'subscription.invalid',
          ),
        }),
        async (s, filter) =>
          printPage(
            await listSubscriptions(s.db, filter),
            filter.limit,
            (row) => row.subscriptionId,
            presentSubscription,
            subscriptionLine,
            o.json,
          ),
      ),
    );

  showOptions(subscriptions.command('show').argument('<subscriptionId>').description('a subscription, folded from its stream')).action(
    (id: string, o: Shown) =>
      run(
        open,
        () => ({ id: idArg('subscription', id), at: pointInTimeOf('subscription', o) }),
        (s, { id: subscriptionId, at }) => printShown(s, subscriptionResource, subscriptionId, at, o.json),
      ),
  );

  subscriptions
    .command('cancel')
    .argument('<subscriptionId>')
    .description('cancel now, or at the end of the current period')
    .option('--at-period-end', 'keep it until the current period ends')
    .option('--prorate', 'credit the unused part of the period')
    .option('--no-prorate', 'do not credit the unused part of the period')
    .option('--reason <text>', 'why, kept on the stream')
    .option('--json', 'print JSON in the API shape')
    .action((id: string, o: CancelOptions) =>
      run(
        open,
        () => ({
          id: idArg('subscription', id),
          input: parseInput(cancelInput, { atPeriodEnd: o.atPeriodEnd ?? false, prorate: o.prorate, reason: o.reason }, 'subscription.invalid'),
        }),
        async (s, { id: subscriptionId, input }) =>
          printOutcome(subscriptionResource, 'canceled', await commands(s).cancel(subscriptionId, input, s.ask), o.json),
      ),
    );

  const transition = (name: 'pause' | 'resume' | 'reactivate', verb: string, description: string) =>
    subscriptions
      .command(name)
      .argument('<subscriptionId>')
      .description(description)
      .option('--json', 'print JSON in the API shape')
      .action((id: string, o: Json) =>
        run(
          open,
          () => idArg('subscription', id),
          async (s, subscriptionId) => printOutcome(subscriptionResource, verb, await commands(s)[name](subscriptionId, s.ask), o.json),
        ),
      );
  transition('pause', 'paused', 'stop billing until resumed');
  transition('resume', 'resumed', 'bill again from now (its contract must be ACTIVE)');
  transition('reactivate', 'reactivated', 'undo a cancellation scheduled for the period end');

  subscriptions
    .command('discount')
    .argument('<subscriptionId>')
    .argument('<couponId>')
    .description("redeem a coupon on the subscription: its discount applies to the subscription's charges, before the customer's")
    .option('--json', 'print JSON in the API shape')
    .action((id: string, coupon: string, o: Json) =>
      run(
        open,
        () => ({ id: idArg('subscription', id), couponId: couponArg(coupon) }),
        async (s, { id: subscriptionId, couponId }) =>
          printOutcome(subscriptionResource, 'discounted', await commands(s).applyCoupon(subscriptionId, { couponId }, s.ask), o.json),
      ),
    );

  subscriptions
    .command('remove-discount')
    .argument('<subscriptionId>')
    .description("take the subscription's discount off its next invoices; the redemption still counts on the coupon")
    .option('--json', 'print JSON in the API shape')
    .action((id: string, o: Json) =>
      run(
        open,
        () => idArg('subscription', id),
        async (s, subscriptionId) => printOutcome(subscriptionResource, 'removed the discount of', await commands(s).removeDiscount(subscriptionId, s.ask), o.json),
      ),
    );
};
