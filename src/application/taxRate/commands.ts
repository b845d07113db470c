import { z } from 'zod';
import type { Clock } from '../../clock/index.js';
import { taxRateDecider, taxRateStreamName, type TaxRateCommand, type TaxRateEvent, type TaxRateState } from '../../domain/taxRate/index.js';
import { ConflictError, displayText, NotFoundError, safeText } from '../../domain/shared/index.js';
import { foldStream, type EventStore } from '../../eventstore/index.js';
import { commandPath, newId, parseInput, type Aggregate, type Ask } from '../shared/index.js';

/** A percentage as text, so four decimals stay exact: "8.25". */
export const taxRateInput = z
  .object({
    displayName: displayText(100),
    jurisdiction: displayText(100),
    percentage: safeText.regex(/^\d{1,3}(\.\d{1,4})?$/, 'a percentage with at most four decimals, such as 8.25'),
    inclusive: z.boolean(),
  })
  .strict();

export const taxRateExists = (s: TaxRateState): s is Exclude<TaxRateState, { status: 'NONE' }> => s.status !== 'NONE';
export const taxRates: Aggregate<TaxRateState, TaxRateCommand, TaxRateEvent> = { decider: taxRateDecider, streamOf: taxRateStreamName };

/** Tax rates: created, never edited, deactivated. */
export const createTaxRateCommands = (deps: Readonly<{ store: EventStore; clock: Clock }>) => {
  const path = commandPath(deps.store, deps.clock, taxRates);
  const now = () => deps.clock.now().toISOString();
  return {
    current: path.current,
    create: (input: z.input<typeof taxRateInput>, ask: Ask) => {
      const valid = parseInput(taxRateInput, input, 'tax_rate.invalid');
      const taxRateId = newId('txr');
      return path.run(taxRateId, { type: 'CreateTaxRate', data: { taxRateId, ...valid, now: now() } }, ask, true);
    },
    deactivate: (taxRateId: string, ask: Ask) => path.run(taxRateId, { type: 'DeactivateTaxRate', data: { now: now() } }, ask),
  };
};

export type TaxRateCommands = ReturnType<typeof createTaxRateCommands>;

/** A tax rate as the API shows it. */
export const presentTaxRate = (s: Exclude<TaxRateState, { status: 'NONE' }>, revision: bigint) => ({
  taxRateId: s.taxRateId,
  displayName: s.displayName,
  jurisdiction: s.jurisdiction,
  percentage: s.percentage,
  inclusive: s.inclusive,
  active: s.status === 'ACTIVE',
  createdAt: s.createdAt,
  deactivatedAt: s.status === 'INACTIVE' ? s.deactivatedAt : null,
  revision: revision.toString(),
});

/** A tax rate a plan or a customer may be given: one that exists and is active. */
export const checkActiveTaxRate = async (store: EventStore, taxRateId: string): Promise<void> => {
  const { state } = await foldStream(store, taxRateStreamName(taxRateId), taxRateDecider);
  if (state.status === 'NONE') throw new NotFoundError('tax_rate.not_found', `no tax rate ${taxRateId}`);
  if (state.status === 'INACTIVE') throw new ConflictError('tax_rate.inactive', `tax rate ${taxRateId} was deactivated at ${state.deactivatedAt}`);
};

/** `{ taxRateId }`: a tax rate's id, or null to remove it. */
export const taxRateChoice = z.object({ taxRateId: safeText.regex(/^txr_[0-9a-f]{32}$/, 'not a tax rate id').nullable() }).strict();
