import { planInput } from '../../application/plan/index.js';
import { creditInput, customerInput, customerPatch } from '../../application/customer/index.js';
import { presentPlan } from '../../application/plan/index.js';
import { presentCustomer } from '../../application/customer/index.js';
import type { Command } from 'commander';
import { z } from 'zod';
import { idOf, parseInput } from '../../application/shared/index.js';
import { listCustomers } from '../../projections/customer/index.js';
import { listPlans } from '../../projections/plan/index.js';
import { registerContractCommands } from './commerceContracts.js';
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
  type Shown,
} from './commerceSupport.js';
import { customerLine, customerResource, planLine, planResource } from './commerceViews.js';

/**
 * `billstream plans|customers|contracts|subscriptions …`: what an ADMIN does
 * over HTTP, from the terminal, through the same commands and schemas.
 * Writes go to the streams; lists read the read models, which the server's
 * projections keep (so a list may lag a write by a moment).
 */
export const registerCommerceCommands = (program: Command, open: Open): void => {
  registerPlanCommands(program, open);
  registerCustomerCommands(program, open);
  registerContractCommands(program, open);
};

type PlanOptions = Json &
  Readonly<{
    name: string;
    pricingModel: string;
    amount: string;
    currency: string;
    interval: string;
    intervalCount?: string;
    trialDays?: string;
    description?: string;
  }>;

const registerPlanCommands = (program: Command, open: Open) => {
  const plans = program.command('plans').description('the catalogue of plans');

  plans
    .command('create')
    .description('create a plan; its price and interval are fixed for life')
    .requiredOption('--name <name>', 'shown name')
    .requiredOption('--pricing-model <model>', 'flat_rate or per_unit')
    .requiredOption('--amount <minor units>', 'price per period (per unit for per_unit), in minor units')
    .requiredOption('--currency <code>', 'ISO 4217, lower case, such as usd')
    .requiredOption('--interval <interval>', 'month or year')
    .option('--interval-count <n>', 'intervals per period (default 1)')
    .option('--trial-days <n>', 'free days before the first period (default 0)')
    .option('--description <text>', 'longer text')
    .option('--json', 'print JSON in the API shape')
    .action((o: PlanOptions) =>
      run(
        open,
        () =>
          parseInput(
            planInput,
            {
              name: o.name,
              pricingModel: o.pricingModel,
              amount: numberArg(o.amount),
              currency: o.currency,
              interval: o.interval,
              intervalCount: numberArg(o.intervalCount),
              trialDays: numberArg(o.trialDays),
              description: o.description,
            },
            'plan.invalid',
          ),
        async (s, input) => printOutcome(planResource, 'created', await s.commerce.plans.create(input, s.ask), o.json),
      ),
    );

  listOptions(plans.command('list').description('plans, oldest first, from the read model'))
    .option('--status <status>', 'active or archived')
    .action((o: ListOptions & { status?: string }) =>
      run(
        open,
        () => ({
          ...pagingOf('plan', o),
          ...parseInput(z.object({ status: z.enum(['active', 'archived']).optional() }), { status: o.status?.toLowerCase() }, 'plan.invalid'),
        }),
        async (s, filter) => printPage(await listPlans(s.db, filter), filter.limit, (p) => p.planId, presentPlan, planLine, o.json),
      ),
    );

  showOptions(plans.command('show').argument('<planId>').description('a plan, folded from its stream')).action((id: string, o: Shown) =>
    run(
      open,
      () => ({ id: idArg('plan', id), at: pointInTimeOf('plan', o) }),
      (s, { id: planId, at }) => printShown(s, planResource, planId, at, o.json),
    ),
  );

  plans
    .command('archive')
    .argument('<planId>')
    .description('archive a plan: no new subscriptions; existing ones keep it')
    .option('--json', 'print JSON in the API shape')
    .action((id: string, o: Json) =>
      run(
        open,
        () => idArg('plan', id),
        async (s, planId) => printOutcome(planResource, 'archived', await s.commerce.plans.archive(planId, s.ask), o.json),
      ),
    );
};

/** `draftInvoices` is undefined unless --draft-invoices or --no-draft-invoices was given. */
type CustomerOptions = Json & Readonly<{ name: string; email: string; owner?: string; draftInvoices?: boolean }>;
type CustomerChanges = Json & Partial<CustomerOptions>;
type CreditOptions = Json & Readonly<{ amount: string; currency: string; reason: string }>;

const registerCustomerCommands = (program: Command, open: Open) => {
  const customers = program.command('customers').description('the customers who are billed');

  customers
    .command('create')
    .description('register a customer')
    .requiredOption('--name <name>', 'shown name')
    .requiredOption('--email <email>', 'billing address')
    .option('--owner <userId>', 'the USER who may see this customer and what belongs to it')
    .option('--draft-invoices', 'its invoices wait as drafts for someone to finalise or void them')
    .option('--no-draft-invoices', 'its invoices are finalised as soon as they are built (the default)')
    .option('--json', 'print JSON in the API shape')
    .action((o: CustomerOptions) =>
      run(
        open,
        () => parseInput(customerInput, { name: o.name, email: o.email, ownerUserId: o.owner, draftInvoices: o.draftInvoices }, 'customer.invalid'),
        async (s, input) => printOutcome(customerResource, 'created', await s.commerce.customers.register(input, s.ask), o.json),
      ),
    );

  customers
    .command('update')
    .argument('<customerId>')
    .description('change a customer; what is not given stays as it is')
    .option('--name <name>', 'shown name')
    .option('--email <email>', 'billing address')
    .option('--owner <userId>', 'the USER who may see this customer and what belongs to it')
    .option('--draft-invoices', 'its next invoices wait as drafts for someone to finalise or void them')
    .option('--no-draft-invoices', 'its next invoices are finalised as soon as they are built')
    .option('--json', 'print JSON in the API shape')
    .action((id: string, o: CustomerChanges) =>
      run(
        open,
        () => ({
          id: idArg('customer', id),
          input: parseInput(customerPatch, { name: o.name, email: o.email, ownerUserId: o.owner, draftInvoices: o.draftInvoices }, 'customer.invalid'),
        }),
        async (s, { id: customerId, input }) =>
          printOutcome(customerResource, 'updated', await s.commerce.customers.update(customerId, input, s.ask), o.json),
      ),
    );

  listOptions(customers.command('list').description('customers, oldest first, from the read model'))
    .option('--owner <userId>', 'only those this USER owns')
    .action((o: ListOptions & { owner?: string }) =>
      run(
        open,
        () => ({
          ...pagingOf('customer', o),
          ...parseInput(z.object({ ownerUserId: idOf('user').optional() }), { ownerUserId: o.owner }, 'customer.invalid'),
        }),
        async (s, filter) =>
          printPage(await listCustomers(s.db, filter), filter.limit, (c) => c.customerId, presentCustomer, customerLine, o.json),
      ),
    );

  showOptions(customers.command('show').argument('<customerId>').description('a customer, folded from its stream')).action(
    (id: string, o: Shown) =>
      run(
        open,
        () => ({ id: idArg('customer', id), at: pointInTimeOf('customer', o) }),
        (s, { id: customerId, at }) => printShown(s, customerResource, customerId, at, o.json),
      ),
  );

  customers
    .command('credit')
    .argument('<customerId>')
    .description('grant the customer credit, spent on its next invoices in that currency')
    .requiredOption('--amount <minor units>', 'how much, in minor units')
    .requiredOption('--currency <code>', 'ISO 4217, lower case, such as usd')
    .requiredOption('--reason <text>', 'why, kept on the ledger')
    .option('--json', 'print JSON in the API shape')
    .action((id: string, o: CreditOptions) =>
      run(
        open,
        () => ({
          id: idArg('customer', id),
          input: parseInput(creditInput, { amount: numberArg(o.amount), currency: o.currency, reason: o.reason }, 'customer.invalid'),
        }),
        async (s, { id: customerId, input }) =>
          printOutcome(customerResource, 'credited', await s.commerce.customers.grantCredit(customerId, input, s.ask), o.json),
      ),
    );
};
