import { describe, it } from 'vitest';
import { taxRateDecider, type TaxRateEvent } from '../../src/domain/taxRate/index.js';
import { ConflictError, NotFoundError, ValidationError } from '../../src/domain/shared/index.js';
import { deciderSpec } from '../support/deciderSpec.js';

const spec = deciderSpec(taxRateDecider);
const NOW = '2026-03-01T00:00:00.000Z';
const terms = { displayName: 'VAT', jurisdiction: 'DE', percentage: '19', inclusive: true };
const created: TaxRateEvent = { type: 'TaxRateCreated', data: { taxRateId: 'txr_1', ...terms, createdAt: NOW } };

describe('Tax rate', () => {
  it('is created once; the same rate asked again is no change, another one under its id a conflict', () => {
    spec.given([]).when({ type: 'CreateTaxRate', data: { taxRateId: 'txr_1', ...terms, now: NOW } }).then([created]);
    spec.given([created]).when({ type: 'CreateTaxRate', data: { taxRateId: 'txr_1', ...terms, now: '2026-04-01T00:00:00.000Z' } }).then([]);
    spec.given([created]).when({ type: 'CreateTaxRate', data: { taxRateId: 'txr_1', ...terms, percentage: '20', now: NOW } }).then({ error: ConflictError, reason: 'tax_rate.already_exists' });
  });

  it('refuses a percentage outside (0, 100] or with more than four decimals, and empty names', () => {
    for (const percentage of ['0', '100.5', '7.12345', 'seven']) {
      spec.given([]).when({ type: 'CreateTaxRate', data: { taxRateId: 'txr_2', ...terms, percentage, now: NOW } }).then({ error: ValidationError, reason: 'tax_rate.invalid' });
    }
    spec.given([]).when({ type: 'CreateTaxRate', data: { taxRateId: 'txr_2', ...terms, displayName: ' ', now: NOW } }).then({ error: ValidationError, reason: 'tax_rate.invalid' });
  });

  it('is deactivated, never edited; deactivating again is no change', () => {
    const deactivated: TaxRateEvent = { type: 'TaxRateDeactivated', data: { taxRateId: 'txr_1', deactivatedAt: NOW } };
    spec.given([created]).when({ type: 'DeactivateTaxRate', data: { now: NOW } }).then([deactivated]);
    spec.given([created, deactivated]).when({ type: 'DeactivateTaxRate', data: { now: NOW } }).then([]);
    spec.given([]).when({ type: 'DeactivateTaxRate', data: { now: NOW } }).then({ error: NotFoundError, reason: 'tax_rate.not_found' });
  });
});
