import { cancelInput, subscriptionInput } from '../../application/subscription/index.js';
import { contractInput } from '../../application/contract/index.js';
import { presentSubscription } from '../../application/subscription/index.js';
import { presentContract } from '../../application/contract/index.js';
import type { Command } from 'commander';
import { z } from 'zod';
import { idOf, parseInput, reasonInput } from '../../application/shared/index.js';
import { type Commerce } from '../../application/index.js';
import { CONTRACT_STATUSES } from '../../domain/contract/index.js';
import { SUBSCRIPTION_STATUSES } from '../../domain/subscription/index.js';
import { listContracts } from '../../projections/contract/index.js';
import { listSubscriptions } from '../../projections/subscription/index.js';
import {
  idArg,
  listOptions,
  numberArg,
  pagingOf,
  pointInTimeOf,
  printOutcome,
  printPage,
  printShown,
  run,
  showOptions,
  type Json,
  type ListOptions,
  type Open,
  type Session,
  type Shown,
} from './commerceSupport.js';
import { contractLine, contractResource, subscriptionLine, subscriptionResource } from './commerceViews.js';

type Reason = Json & Readonly<{ reason?: string }>;

/** `contracts …` and `subscriptions …`; see commerce.ts. */
export const registerContractCommands = (program: Command, open: Open): void => {
  registerContracts(program, open);
  registerSubscriptions(program, open);
};

type ContractOptions = Json & Readonly<{ customer: string; title: string; terms?: string; startsAt?: string; endsAt?: string }>;

const registerContracts = (program: Command, open: Open) => {
  const contracts = program.command('contracts').description("the customers' contracts, which subscriptions hang on");
  const commands = (s: { commerce: Commerce }) => s.commerce.contracts;

  contracts
    .command('create')
    .description('draft a contract for a customer (activate it before subscribing)')
    .requiredOption('--customer <customerId>', 'whose contract')
    .requiredOption('--title <title>', 'shown name')
    .option('--terms <text>', 'the terms agreed')
    .option('--starts-at <instant>', 'ISO instant (default now)')
    .option('--ends-at <instant>', 'ISO instant; it may expire after that')
    .option('--json', 'print JSON in the API shape')
    .action((o: ContractOptions) =>
      run(
        open,
        () =>
          parseInput(
            contractInput,
            { customerId: o.customer, title: o.title, terms: o.terms, startsAt: o.startsAt, endsAt: o.endsAt },
            'contract.invalid',
          ),
        async (s, input) => printOutcome(contractResource, 'created', await commands(s).create(input, s.ask), o.json),
      ),
    );

  listOptions(contracts.command('list').description('contracts, oldest first, from the read model'))
    .option('--customer <customerId>', "only this customer's")
    .option('--status <status>', CONTRACT_STATUSES.join(', '))
    .action((o: ListOptions & { customer?: string; status?: string }) =>
      run(
        open,
        () => ({
          ...pagingOf('contract', o),
          ...parseInput(
            z.object({ customerId: idOf('customer').optional(), status: z.enum(CONTRACT_STATUSES).optional() }),
            { customerId: o.customer, status: o.status?.toUpperCase() },
            'contract.invalid',
          ),
        }),
        async (s, filter) =>
          printPage(await listContracts(s.db, filter), filter.limit, (c) => c.contractId, presentContract, contractLine, o.json),
      ),
    );

  showOptions(contracts.command('show').argument('<contractId>').description('a contract, folded from its stream')).action(
    (id: string, o: Shown) =>
      run(
        open,
        () => ({ id: idArg('contract', id), at: pointInTimeOf('contract', o) }),
        (s, { id: contractId, at }) => printShown(s, contractResource, contractId, at, o.json),
      ),
  );

  type Act = (s: Session, id: string, reason: z.output<typeof reasonInput>) => ReturnType<Commerce['contracts']['activate']>;
  // Suspend and terminate may say why, as over HTTP; activate and resume take nothing.
  const transition = (name: string, verb: string, description: string, act: Act, withReason = false) => {
    const command = contracts.command(name).argument('<contractId>').description(description).option('--json', 'print JSON in the API shape');
    if (withReason) command.option('--reason <text>', 'why, kept on the stream');
    command.action((id: string, o: Reason) =>
      run(
        open,
        () => ({ id: idArg('contract', id), reason: parseInput(reasonInput, { reason: o.reason }, 'contract.invalid') }),
        async (s, { id: contractId, reason }) => printOutcome(contractResource, verb, await act(s, contractId, reason), o.json),
      ),
    );
  };
  transition('activate', 'activated', 'DRAFT → ACTIVE', (s, id) => commands(s).activate(id, s.ask));
  transition('suspend', 'suspended', 'ACTIVE → SUSPENDED', (s, id, reason) => commands(s).suspend(id, reason, s.ask), true);
  transition('resume', 'resumed', 'SUSPENDED → ACTIVE', (s, id) => commands(s).resume(id, s.ask));
  transition('terminate', 'terminated', 'end the contract for good', (s, id, reason) => commands(s).terminate(id, reason, s.ask), true);
};

type SubscriptionOptions = Json & Readonly<{ contract: string; plan: string; quantity?: string }>;
type CancelOptions = Reason & Readonly<{ atPeriodEnd?: boolean; prorate?: boolean }>;

const registerSubscriptions = (program: Command, open: Open) => {
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
};
