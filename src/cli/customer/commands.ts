import type { Command } from 'commander';
import { idArg, resource, type Json, listOptions, type ListOptions, numberArg, type Open, pagingOf, pointInTimeOf, printOutcome, printPage, printShown, run, type Shown, showOptions } from '../shared/index.js';
import { creditInput, customerExists, customerInput, customerPatch, customers, presentCustomer } from '../../application/customer/index.js';
import { idOf, parseInput } from '../../application/shared/index.js';
import { listCustomers } from '../../projections/customer/index.js';
import { z } from 'zod';


/** `billstream customers …`: customers, their payment methods and credit, from the terminal. */
type CustomerView = ReturnType<typeof presentCustomer>;
const balances = (credit: Readonly<Record<string, number>>) =>
  Object.entries(credit)
    .map(([currency, amount]) => `${amount} ${currency}`)
    .join(', ');

export const customerLine = (c: CustomerView) =>
  `${c.customerId} (${c.name} <${c.email}>${c.draftInvoices ? ', invoices as drafts' : ''}` +
  `${Object.keys(c.credit).length > 0 ? `, credit ${balances(c.credit)}` : ''})`;

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
};
