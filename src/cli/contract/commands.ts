import type { Command } from 'commander';
import { idArg, resource, type Reason, type Json, listOptions, type ListOptions, type Open, pagingOf, pointInTimeOf, printOutcome, printPage, printShown, run, type Session, type Shown, showOptions } from '../shared/index.js';
import { CONTRACT_STATUSES } from '../../domain/contract/index.js';
import { contractExists, contractInput, contracts, presentContract } from '../../application/contract/index.js';
import { idOf, parseInput, reasonInput } from '../../application/shared/index.js';
import { listContracts } from '../../projections/contract/index.js';
import type { Commerce } from '../../application/index.js';
import { z } from 'zod';


/** `billstream contracts …`: contracts and their lifecycle, from the terminal. */
type ContractView = ReturnType<typeof presentContract>;
export const contractLine = (c: ContractView) => `${c.contractId} (${c.title}, ${c.status}, customer ${c.customerId})`;

export const contractResource = resource({
  kind: 'contract',
  aggregate: contracts,
  isExisting: contractExists,
  present: presentContract,
  line: contractLine,
});

type ContractOptions = Json & Readonly<{ customer: string; title: string; terms?: string; startsAt?: string; endsAt?: string }>;

export const registerContractCommands = (program: Command, open: Open): void => {
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
