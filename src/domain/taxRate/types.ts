import type { Command, Event } from '../shared/index.js';

/**
 * A tax rate (`tax_rate-txr_…`): a percentage with up to four decimals,
 * inclusive or exclusive, with a display name and a jurisdiction. Immutable
 * once created, as Stripe's: deactivated, never edited; invoices keep the
 * rate they were billed at.
 */
export type TaxRateTerms = Readonly<{ displayName: string; jurisdiction: string; percentage: string; inclusive: boolean }>;

export type CreateTaxRate = Command<'CreateTaxRate', TaxRateTerms & { taxRateId: string; now: string }>;
export type DeactivateTaxRate = Command<'DeactivateTaxRate', { now: string }>;
export type TaxRateCommand = CreateTaxRate | DeactivateTaxRate;

export type TaxRateCreated = Event<'TaxRateCreated', TaxRateTerms & { taxRateId: string; createdAt: string }>;
export type TaxRateDeactivated = Event<'TaxRateDeactivated', { taxRateId: string; deactivatedAt: string }>;
export type TaxRateEvent = TaxRateCreated | TaxRateDeactivated;

export type TaxRateState =
  | Readonly<{ status: 'NONE' }>
  | Readonly<TaxRateTerms & { status: 'ACTIVE'; taxRateId: string; createdAt: string }>
  | Readonly<TaxRateTerms & { status: 'INACTIVE'; taxRateId: string; createdAt: string; deactivatedAt: string }>;
