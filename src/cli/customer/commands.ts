import type { Command } from 'commander';
import { idArg, resource, type Json, listOptions, type ListOptions, numberArg, type Open, pagingOf, pointInTimeOf, printOutcome, printPage, printShown, run, type Shown, showOptions } from '../shared/index.js';
import { creditInput, customerExists, customerInput, customerPatch, customers, presentCustomer } from '../../application/customer/index.js';
import { couponChoice } from '../../application/coupon/index.js';
import { taxRateChoice } from '../../application/taxRate/index.js';
import { idOf, parseInput } from '../../application/shared/index.js';
import { listCustomers } from '../../projections/customer/index.js';
import { z } from 'zod';


/** `billstream customers …`: customers, their payment methods and credit, from the terminal. */
type CustomerView = ReturnType<typeof presentCustomer>;
const balances = (credit: Readonly<Record<string, number>>) =>
  Object.entries(credit)
    .map(([currency, amount]) => `${amount} ${currency}`)
    .join(', ');

/** The coupon a discount came from (a customer's discount is presented as recorded). */
const couponOf = (discount: unknown) =>
  typeof discount === 'object' && discount !== null && 'couponId' in discount && typeof discount.couponId === 'string' ? discount.couponId : undefined;

export const customerLine = (c: CustomerView) =>
  `${c.customerId} (${c.name} <${c.email}>${c.draftInvoices ? ', invoices as drafts' : ''}` +
  `${Object.keys(c.credit).length > 0 ? `, credit ${balances(c.credit)}` : ''}` +
  `${couponOf(c.discount) ? `, discount ${couponOf(c.discount)}` : ''}${c.taxRateId ? `, tax rate ${c.taxRateId}` : ''})`;

/** The coupon and tax rate arguments, checked with the API's schemas; refusals call each "the id" and say which kind it must be. */
const couponArg = (id: string) => parseInput(z.object({ id: couponChoice.shape.couponId }), { id }, 'customer.invalid').id;
const taxRateArg = (id: string) => parseInput(z.object({ id: taxRateChoice.shape.taxRateId }), { id: id === 'none' ? null : id }, 'customer.invalid').id;

export const customerResource = resource({
  kind: 'customer',
  aggregate: customers,
  isExisting: customerExists,
  present: presentCustomer,
  line: customerLine,
});

type CustomerOptions = Json & Readonly<{ name: string; email: string; owner?: string; draftInvoices?: boolean }>;
type CustomerChanges = Json & Partial<CustomerOptions>;
type CreditOptions = Json & Readonly<{ amount: string; currency: string; reason: string }>;

export const registerCustomerCommands = (program: Command, open: Open): void => {
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

  customers
    .command('discount')
    .argument('<customerId>')
    .argument('<couponId>')
    .description("redeem a coupon on the customer: its discount applies to the customer's invoices, after a subscription's own")
    .option('--json', 'print JSON in the API shape')
    .action((id: string, coupon: string, o: Json) =>
      run(
        open,
        () => ({ id: idArg('customer', id), couponId: couponArg(coupon) }),
        async (s, { id: customerId, couponId }) =>
          printOutcome(customerResource, 'discounted', await s.commerce.customers.applyCoupon(customerId, { couponId }, s.ask), o.json),
      ),
    );

  customers
    .command('remove-discount')
    .argument('<customerId>')
    .description("take the customer's discount off its next invoices; the redemption still counts on the coupon")
    .option('--json', 'print JSON in the API shape')
    .action((id: string, o: Json) =>
      run(
        open,
        () => idArg('customer', id),
        async (s, customerId) => printOutcome(customerResource, 'removed the discount of', await s.commerce.customers.removeDiscount(customerId, s.ask), o.json),
      ),
    );

  customers
    .command('tax-rate')
    .argument('<customerId>')
    .argument('<taxRateId|none>', "an active tax rate, or none to tax at its plans' rates again")
    .description("the tax rate the customer's invoices are taxed at, over its plans'")
    .option('--json', 'print JSON in the API shape')
    .action((id: string, rate: string, o: Json) =>
      run(
        open,
        () => ({ id: idArg('customer', id), taxRateId: taxRateArg(rate) }),
        async (s, { id: customerId, taxRateId }) =>
          printOutcome(
            customerResource,
            taxRateId === null ? 'removed the tax rate of' : 'set the tax rate of',
            await s.commerce.customers.setTaxRate(customerId, { taxRateId }, s.ask),
            o.json,
          ),
      ),
    );
};
