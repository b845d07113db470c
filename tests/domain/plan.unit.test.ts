import { describe, expect, it } from 'vitest';
import { planDecider, type PlanCreated, type PlanEvent } from '../../src/domain/plan/index.js';
import { ConflictError, NotFoundError, ValidationError } from '../../src/domain/shared/index.js';
import { deciderSpec } from '../support/deciderSpec.js';

const NOW = '2026-03-01T09:00:00.000Z';
const LATER = '2026-03-02T09:00:00.000Z';
const spec = deciderSpec(planDecider);

const terms = {
  name: 'Pro',
  pricingModel: 'per_unit' as const,
  amount: 1_500,
  currency: 'eur',
  interval: 'month' as const,
  intervalCount: 1,
  trialDays: 14,
};
const create = (overrides: Partial<typeof terms> & { description?: string } = {}) =>
  ({ type: 'CreatePlan', data: { planId: 'pln_1', ...terms, ...overrides, now: NOW } }) as const;
const created: PlanCreated = { type: 'PlanCreated', data: { planId: 'pln_1', ...terms, createdAt: NOW } };
const archived: PlanEvent = { type: 'PlanArchived', data: { planId: 'pln_1', archivedAt: LATER } };
const update = (data: { name?: string; description?: string | null; metadata?: Record<string, string> | null }) =>
  ({ type: 'UpdatePlan', data: { ...data, now: LATER } }) as const;
const archive = { type: 'ArchivePlan', data: { now: LATER } } as const;

describe('Plan', () => {
  describe('create', () => {
    it('creates an active plan', () => spec.given([]).when(create()).then([created]));
    it('is a no-op when the same plan is created again', () => spec.given([created]).when(create()).then([]));
    it('refuses different terms under an existing id', () =>
      spec.given([created]).when(create({ amount: 2_000 })).then({ error: ConflictError, reason: 'plan.already_exists' }));
    it.each([
      ['a negative amount', { amount: -1 }],
      ['a fractional amount', { amount: 15.5 }],
      ['an unsafe amount', { amount: Number.MAX_SAFE_INTEGER + 1 }],
      ['an upper-case currency', { currency: 'EUR' }],
      ['an interval count of 0', { intervalCount: 0 }],
      ['negative trial days', { trialDays: -1 }],
      ['an empty name', { name: '  ' }],
    ])('refuses %s', (_label, overrides) =>
      spec.given([]).when(create(overrides)).then({ error: ValidationError, reason: 'plan.invalid' }));
    it('takes a free plan', () =>
      spec.given([]).when(create({ amount: 0 })).then([{ ...created, data: { ...created.data, amount: 0 } }]));
  });

  describe('update', () => {
    it('changes the name, description and metadata, and only those', () =>
      spec
        .given([created])
        .when(update({ name: 'Pro 2', description: 'For teams', metadata: { tier: 'b' } }))
        .then([{ type: 'PlanUpdated', data: { planId: 'pln_1', name: 'Pro 2', description: 'For teams', metadata: { tier: 'b' }, updatedAt: LATER } }]));
    it('leaves out what does not change, and appends nothing when nothing does', () => {
      spec.given([created]).when(update({ name: 'Pro' })).then([]);
      spec.given([created]).when(update({ name: 'Pro', description: 'x' })).then([
        { type: 'PlanUpdated', data: { planId: 'pln_1', description: 'x', updatedAt: LATER } },
      ]);
    });
    it('clears a description with null', () => {
      const described: PlanEvent = { type: 'PlanUpdated', data: { planId: 'pln_1', description: 'x', updatedAt: NOW } };
      spec.given([created, described]).when(update({ description: null })).then([
        { type: 'PlanUpdated', data: { planId: 'pln_1', description: null, updatedAt: LATER } },
      ]);
      spec.given([created]).when(update({ description: null })).then([]);
    });
    it('is allowed on an archived plan', () =>
      spec.given([created, archived]).when(update({ name: 'Legacy' })).then([
        { type: 'PlanUpdated', data: { planId: 'pln_1', name: 'Legacy', updatedAt: LATER } },
      ]));
    it('refuses an empty name', () => spec.given([created]).when(update({ name: '' })).then({ error: ValidationError }));
    it('refuses a plan that does not exist', () =>
      spec.given([]).when(update({ name: 'x' })).then({ error: NotFoundError, reason: 'plan.not_found' }));
  });

  describe('archive', () => {
    it('archives an active plan', () => spec.given([created]).when(archive).then([archived]));
    it('is a no-op on an archived plan', () => spec.given([created, archived]).when(archive).then([]));
    it('refuses a plan that does not exist', () => spec.given([]).when(archive).then({ error: NotFoundError, reason: 'plan.not_found' }));
  });

  it('folds its events into the current state', () => {
    const events: PlanEvent[] = [
      created,
      { type: 'PlanUpdated', data: { planId: 'pln_1', description: 'x', metadata: { a: '1' }, updatedAt: NOW } },
      { type: 'PlanUpdated', data: { planId: 'pln_1', description: null, updatedAt: LATER } },
      archived,
    ];
    const state = events.reduce(planDecider.evolve, planDecider.initialState());
    expect(state).toEqual({ status: 'archived', planId: 'pln_1', ...terms, metadata: { a: '1' }, createdAt: NOW, updatedAt: LATER, archivedAt: LATER });
  });
});
