import type { Command } from 'commander';
import { idArg, resource, type Json, listOptions, type ListOptions, numberArg, type Open, pagingOf, pointInTimeOf, printOutcome, printPage, printShown, run, type Shown, showOptions } from '../shared/index.js';
import { parseInput } from '../../application/shared/index.js';
import { listPlans } from '../../projections/plan/index.js';
import { planExists, planInput, plans, presentPlan } from '../../application/plan/index.js';
import { taxRateChoice } from '../../application/taxRate/index.js';
import { z } from 'zod';


/** `billstream plans …`: the catalogue, as an ADMIN keeps it over HTTP, from the terminal. */
type PlanView = ReturnType<typeof presentPlan>;
export const planLine = (p: PlanView) =>
  `${p.planId} (${p.name}, ${p.amount} ${p.currency} / ${p.intervalCount} ${p.interval}` +
  `${p.trialDays > 0 ? `, ${p.trialDays}-day trial` : ''}${p.taxRateId ? `, tax rate ${p.taxRateId}` : ''}${p.status === 'archived' ? ', archived' : ''})`;

/** A tax rate argument, checked with the API's schema ("none" is null); a refusal calls it "the id" and says which kind it must be. */
const taxRateArg = (id: string) => parseInput(z.object({ id: taxRateChoice.shape.taxRateId }), { id: id === 'none' ? null : id }, 'plan.invalid').id;

export const planResource = resource({
  kind: 'plan',
  aggregate: plans,
  isExisting: planExists,
  present: presentPlan,
  line: planLine,
});

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

export const registerPlanCommands = (program: Command, open: Open): void => {
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
    .command('tax-rate')
    .argument('<planId>')
    .argument('<taxRateId|none>', 'an active tax rate, or none to remove it')
    .description("the tax rate the plan's charges are taxed at (a customer's own wins)")
    .option('--json', 'print JSON in the API shape')
    .action((id: string, rate: string, o: Json) =>
      run(
        open,
        () => ({ id: idArg('plan', id), taxRateId: taxRateArg(rate) }),
        async (s, { id: planId, taxRateId }) =>
          printOutcome(
            planResource,
            taxRateId === null ? 'removed the tax rate of' : 'set the tax rate of',
            await s.commerce.plans.setTaxRate(planId, { taxRateId }, s.ask),
            o.json,
          ),
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
