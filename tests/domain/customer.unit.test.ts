import { describe, expect, it } from 'vitest';
import { customerDecider, type CustomerEvent } from '../../src/domain/customer/index.js';
import { ConflictError, NotFoundError, ValidationError } from '../../src/domain/shared/index.js';
import { deciderSpec } from '../support/deciderSpec.js';

const NOW = '2026-03-01T09:00:00.000Z';
const LATER = '2026-03-02T09:00:00.000Z';
const spec = deciderSpec(customerDecider);
const customerId = 'cus_1';
const profile = { name: 'Acme', email: 'billing@acme.test', ownerUserId: 'usr_1' };

const registered: CustomerEvent = { type: 'CustomerRegistered', data: { customerId, ...profile, registeredAt: NOW } };
const granted = (amount: number, balanceAfter: number, currency = 'eur'): CustomerEvent => ({
  type: 'CustomerCreditGranted',
  data: { customerId, amount, currency, reason: 'top-up', balanceAfter, grantedAt: LATER },
});
const grant = (amount: number, currency = 'eur') => ({ type: 'GrantCredit', data: { amount, currency, reason: 'top-up', now: LATER } }) as const;
const apply = (amount: number, currency = 'eur') => ({ type: 'ApplyCredit', data: { amount, currency, invoiceId: 'inv_1', now: LATER } }) as const;

describe('Customer', () => {
  it('registers, and registering the same customer again is a no-op', () => {
    spec.given([]).when({ type: 'RegisterCustomer', data: { customerId, ...profile, now: NOW } }).then([registered]);
    spec.given([registered]).when({ type: 'RegisterCustomer', data: { customerId, ...profile, now: LATER } }).then([]);
    spec
      .given([registered])
      .when({ type: 'RegisterCustomer', data: { customerId, ...profile, name: 'Other', now: LATER } })
      .then({ error: ConflictError, reason: 'customer.already_exists' });
  });

  it('refuses an empty name and an address that is not one', () => {
    spec.given([]).when({ type: 'RegisterCustomer', data: { customerId, ...profile, name: ' ', now: NOW } }).then({ error: ValidationError });
    spec.given([]).when({ type: 'RegisterCustomer', data: { customerId, ...profile, email: 'acme', now: NOW } }).then({ error: ValidationError });
  });

  it('records only what an update changes, and clears the owner with null', () => {
    spec.given([registered]).when({ type: 'UpdateCustomer', data: { name: 'Acme', email: 'new@acme.test', now: LATER } }).then([
      { type: 'CustomerUpdated', data: { customerId, email: 'new@acme.test', updatedAt: LATER } },
    ]);
    spec.given([registered]).when({ type: 'UpdateCustomer', data: { ownerUserId: null, now: LATER } }).then([
      { type: 'CustomerUpdated', data: { customerId, ownerUserId: null, updatedAt: LATER } },
    ]);
    spec.given([registered]).when({ type: 'UpdateCustomer', data: { name: 'Acme', now: LATER } }).then([]);
  });

  it('takes a gateway token as payment method, never card data', () => {
    spec.given([registered]).when({ type: 'AttachPaymentMethod', data: { paymentMethod: 'pm_ok', now: LATER } }).then([
      { type: 'PaymentMethodAttached', data: { customerId, paymentMethod: 'pm_ok', attachedAt: LATER } },
    ]);
    spec
      .given([registered])
      .when({ type: 'AttachPaymentMethod', data: { paymentMethod: '4242424242424242', now: LATER } })
      .then({ error: ValidationError, reason: 'customer.invalid' });
    const attached: CustomerEvent = { type: 'PaymentMethodAttached', data: { customerId, paymentMethod: 'pm_ok', attachedAt: LATER } };
    spec.given([registered, attached]).when({ type: 'AttachPaymentMethod', data: { paymentMethod: 'pm_ok', now: LATER } }).then([]);
  });

  describe('draft invoices', () => {
    const fold = (events: readonly CustomerEvent[]) => events.reduce(customerDecider.evolve, customerDecider.initialState());
    const drafts = (draftInvoices: boolean): CustomerEvent => ({ type: 'CustomerUpdated', data: { customerId, draftInvoices, updatedAt: LATER } });
    const registeredForDrafts: CustomerEvent = { type: 'CustomerRegistered', data: { customerId, ...profile, draftInvoices: true, registeredAt: NOW } };

    it('is off for a customer registered without it, as for every stream recorded before it existed', () =>
      expect(fold([registered])).toMatchObject({ status: 'registered', draftInvoices: false }));

    it('is set at registration, and registering again with another choice is a conflict', () => {
      spec.given([]).when({ type: 'RegisterCustomer', data: { customerId, ...profile, draftInvoices: true, now: NOW } }).then([registeredForDrafts]);
      expect(fold([registeredForDrafts])).toMatchObject({ draftInvoices: true });
      spec.given([registeredForDrafts]).when({ type: 'RegisterCustomer', data: { customerId, ...profile, draftInvoices: true, now: LATER } }).then([]);
      spec.given([registered]).when({ type: 'RegisterCustomer', data: { customerId, ...profile, draftInvoices: false, now: LATER } }).then([]);
      spec
        .given([registered])
        .when({ type: 'RegisterCustomer', data: { customerId, ...profile, draftInvoices: true, now: LATER } })
        .then({ error: ConflictError, reason: 'customer.already_exists' });
    });

    it('is turned on and off by an update, which records it only when it changes', () => {
      spec.given([registered]).when({ type: 'UpdateCustomer', data: { draftInvoices: true, now: LATER } }).then([drafts(true)]);
      spec.given([registered]).when({ type: 'UpdateCustomer', data: { draftInvoices: false, now: LATER } }).then([]);
      spec.given([registered, drafts(true)]).when({ type: 'UpdateCustomer', data: { draftInvoices: true, now: LATER } }).then([]);
      spec.given([registered, drafts(true)]).when({ type: 'UpdateCustomer', data: { draftInvoices: false, now: LATER } }).then([drafts(false)]);
      expect(fold([registered, drafts(true)])).toMatchObject({ draftInvoices: true });
      expect(fold([registered, drafts(true), drafts(false)])).toMatchObject({ draftInvoices: false });
    });

    it('is kept by an update of anything else', () => {
      const renamed: CustomerEvent = { type: 'CustomerUpdated', data: { customerId, name: 'Acme Ltd', updatedAt: LATER } };
      expect(fold([registeredForDrafts, renamed])).toMatchObject({ name: 'Acme Ltd', draftInvoices: true });
    });
  });

  describe('credit', () => {
    it('is a ledger: each grant records the balance after it', () => {
      spec.given([registered]).when(grant(1_000)).then([granted(1_000, 1_000)]);
      spec.given([registered, granted(1_000, 1_000)]).when(grant(500)).then([granted(500, 1_500)]);
    });

    it('is kept per currency', () =>
      spec.given([registered, granted(1_000, 1_000)]).when(grant(300, 'usd')).then([granted(300, 300, 'usd')]));

    it('is applied down to zero and never below', () => {
      spec.given([registered, granted(1_000, 1_000)]).when(apply(1_000)).then([
        { type: 'CustomerCreditApplied', data: { customerId, amount: 1_000, currency: 'eur', invoiceId: 'inv_1', balanceAfter: 0, appliedAt: LATER } },
      ]);
      spec.given([registered, granted(1_000, 1_000)]).when(apply(1_001)).then({ error: ConflictError, reason: 'customer.insufficient_credit' });
      spec.given([registered, granted(1_000, 1_000)]).when(apply(1, 'usd')).then({ error: ConflictError, reason: 'customer.insufficient_credit' });
    });

    it.each([
      ['zero', 0],
      ['a negative amount', -5],
      ['a fraction', 1.5],
    ])('refuses %s', (_label, amount) => {
      spec.given([registered]).when(grant(amount)).then({ error: ValidationError });
      spec.given([registered, granted(1_000, 1_000)]).when(apply(amount)).then({ error: ValidationError });
    });

    it('refuses a balance past the safe integers', () =>
      spec.given([registered, granted(Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER)]).when(grant(1)).then({ error: ValidationError, reason: 'money.unsafe_amount' }));

    it('folds to a balance per currency', () => {
      const state = [registered, granted(1_000, 1_000), granted(300, 300, 'usd')].reduce(customerDecider.evolve, customerDecider.initialState());
      expect(state).toMatchObject({ status: 'registered', credit: { eur: 1_000, usd: 300 } });
    });
  });

  it('refuses every change to a customer that does not exist', () => {
    for (const command of [grant(1), apply(1), { type: 'UpdateCustomer' as const, data: { name: 'x', now: LATER } }]) {
      spec.given([]).when(command).then({ error: NotFoundError, reason: 'customer.not_found' });
    }
  });
});
