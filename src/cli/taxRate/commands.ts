import type { Command } from 'commander';
import { z } from 'zod';
import { idOf, parseInput, pointInTimeInput, stateAt } from '../../application/shared/index.js';
import { createTaxRateCommands, presentTaxRate, taxRateExists, taxRateInput, taxRates } from '../../application/taxRate/index.js';
import { NotFoundError } from '../../domain/shared/index.js';
import type { TaxRateEvent, TaxRateState } from '../../domain/taxRate/index.js';
import { foldStream, type HandleCommandResult } from '../../eventstore/index.js';
import { streamsOfCategory } from '../../projections/stream/index.js';
import { listOptions, numberArg, print, printPage, runAsOperator, showOptions, type Json, type ListOptions, type Open, type Shown } from '../shared/index.js';

/** `billstream tax-rates …`: tax rates, as an ADMIN or a MANAGER keeps them over HTTP, through the same commands and schemas. */
type TaxRateView = ReturnType<typeof presentTaxRate>;

export const taxRateLine = (t: TaxRateView) =>
  `${t.taxRateId} (${t.displayName}, ${t.jurisdiction}, ${t.percentage}% ${t.inclusive ? 'inclusive' : 'exclusive'}${t.active ? '' : ', inactive'})`;

type CreateOptions = Json & Readonly<{ displayName: string; jurisdiction: string; percentage: string; inclusive?: boolean }>;

/** Refusals name the id as the argument it is. */
const NAMES = { id: 'the tax rate id' };
const notFound = () => new NotFoundError('tax_rate.not_found', 'the tax rate does not exist');
const taxRateArg = (id: string) => parseInput(z.object({ id: idOf('taxRate') }), { id }, 'tax_rate.invalid').id;

const printTaxRate = (state: TaxRateState, revision: bigint | undefined, text: (line: string) => string, json: boolean | undefined) => {
  if (!taxRateExists(state) || revision === undefined) throw notFound();
  const view = presentTaxRate(state, revision);
  print(json ? JSON.stringify(view) : text(taxRateLine(view)));
};
/** A command's answer: the rate as it left it, or "unchanged" when it appended nothing. */
const printOutcome = (verb: string, r: HandleCommandResult<TaxRateState, TaxRateEvent>, json: boolean | undefined) =>
  printTaxRate(r.newState, r.nextExpectedRevision, (line) => (r.newEvents.length === 0 ? `tax rate ${line} unchanged` : `${verb} tax rate ${line}`), json);

export const registerTaxRateCommands = (program: Command, open: Open): void => {
  const group = program.command('tax-rates').description('tax rates: given to plans and customers, never edited');

  group
    .command('create')
    .description('create a tax rate; a new percentage is a new rate')
    .requiredOption('--display-name <name>', 'shown on invoices, such as VAT')
    .requiredOption('--jurisdiction <name>', 'where it applies, such as DE')
    .requiredOption('--percentage <percent>', 'up to four decimals, such as 8.25')
    .option('--inclusive', 'prices already include it (the default: added on top)')
    .option('--json', 'print JSON in the API shape')
    .action((o: CreateOptions) =>
      runAsOperator(
        open,
        () => parseInput(taxRateInput, { displayName: o.displayName, jurisdiction: o.jurisdiction, percentage: o.percentage, inclusive: o.inclusive ?? false }, 'tax_rate.invalid'),
        async ({ store, clocks }, ask, input) =>
          printOutcome('created', await createTaxRateCommands({ store, clock: clocks.domain }).create(input, ask), o.json),
        NAMES,
      ),
    );

  listOptions(group.command('list').description('tax rates by id (oldest first), each folded from its stream; the streams read model names them')).action(
    (o: ListOptions) =>
      runAsOperator(
        open,
        () => parseInput(z.object({ limit: z.number().int().min(1).max(1000), after: idOf('taxRate').optional() }), { limit: numberArg(o.limit), after: o.after }, 'tax_rate.invalid'),
        async ({ db, store }, _ask, { limit, after }) => {
          const names = await streamsOfCategory(db, 'tax_rate', limit, after === undefined ? undefined : taxRates.streamOf(after));
          const folded = await Promise.all(names.map((name) => foldStream(store, name, taxRates.decider)));
          const rows = folded.flatMap((f) => (taxRateExists(f.state) && f.revision !== undefined ? [{ state: f.state, revision: f.revision }] : []));
          printPage(rows, limit, (r) => r.state.taxRateId, (r, revision) => presentTaxRate(r.state, revision), taxRateLine, o.json);
        },
      ),
  );

  showOptions(group.command('show').argument('<taxRateId>').description('a tax rate, folded from its stream')).action((id: string, o: Shown) =>
    runAsOperator(
      open,
      () => ({ taxRateId: taxRateArg(id), at: parseInput(pointInTimeInput, { asOf: o.asOf, revision: o.revision }, 'tax_rate.invalid') }),
      async ({ store }, _ask, { taxRateId, at }) => {
        const travelling = at.asOf !== undefined || at.revision !== undefined;
        const point = { ...(at.asOf !== undefined && { asOf: new Date(at.asOf) }), ...(at.revision !== undefined && { revision: BigInt(at.revision) }) };
        const folded = travelling ? await stateAt(store, taxRates, taxRateId, point, notFound) : await foldStream(store, taxRates.streamOf(taxRateId), taxRates.decider);
        printTaxRate(folded.state, folded.revision, (line) => `tax rate ${line}`, o.json);
      },
      NAMES,
    ),
  );

  group
    .command('deactivate')
    .argument('<taxRateId>')
    .description('deactivate a tax rate: given to no more plans or customers; those that have it keep it')
    .option('--json', 'print JSON in the API shape')
    .action((id: string, o: Json) =>
      runAsOperator(
        open,
        () => taxRateArg(id),
        async ({ store, clocks }, ask, taxRateId) =>
          printOutcome('deactivated', await createTaxRateCommands({ store, clock: clocks.domain }).deactivate(taxRateId, ask), o.json),
        NAMES,
      ),
    );
};
