import { addMoney, ConflictError, money, NotFoundError, sameRecord, subtractMoney, ValidationError } from '../shared/index.js';
import type { CustomerCommand } from './commands.js';
import type { CustomerEvent } from './events.js';
import type { CustomerProfile, CustomerState } from './state.js';

const invalid = (field: string, message: string) =>
  new ValidationError('customer.invalid', `${field} ${message}`, { fields: [{ path: field, message }] });

const EMAIL = /^[^\s@]+@[^\s@]+$/;
/** A gateway's token, never card data: card numbers are digits, tokens start `pm_`. */
const PAYMENT_METHOD = /^pm_[A-Za-z0-9_]{1,100}$/;

const checkName = (name: string) => {
  if (name.trim() === '') throw invalid('name', 'must not be empty');
};
const checkEmail = (email: string) => {
  if (!EMAIL.test(email)) throw invalid('email', 'must be an email address');
};

const positive = (amount: number, currency: string) => {
  const value = money(amount, currency);
  if (value.amount <= 0) throw invalid('amount', 'must be more than zero');
  return value;
};

const sameProfile = (a: CustomerProfile, b: CustomerProfile) =>
  JSON.stringify([a.name, a.email, a.ownerUserId, a.metadata ?? null]) === JSON.stringify([b.name, b.email, b.ownerUserId, b.metadata ?? null]);

/**
 * Customers own contracts and subscriptions. Their credit is a ledger of
 * grants and applications, each carrying the balance after it, and the
 * balance never goes below zero.
 */
export const decideCustomer = (command: CustomerCommand, state: CustomerState): CustomerEvent[] => {
  if (command.type === 'RegisterCustomer') {
    const { now, customerId, draftInvoices, ...profile } = command.data;
    if (state.status !== 'none') {
      if (state.customerId === customerId && sameProfile(state, profile) && state.draftInvoices === (draftInvoices ?? false)) return [];
      throw new ConflictError('customer.already_exists', `customer ${state.customerId} already exists`);
    }
    checkName(profile.name);
    checkEmail(profile.email);
    return [{ type: 'CustomerRegistered', data: { customerId, ...profile, ...(draftInvoices !== undefined && { draftInvoices }), registeredAt: now } }];
  }
  if (state.status === 'none') throw new NotFoundError('customer.not_found', 'the customer does not exist');
  const { customerId } = state;
  switch (command.type) {
    case 'UpdateCustomer': {
      const { now, name, email, ownerUserId, metadata, draftInvoices } = command.data;
      if (name !== undefined) checkName(name);
      if (email !== undefined) checkEmail(email);
      const changes = {
        ...(name !== undefined && name !== state.name && { name }),
        ...(email !== undefined && email !== state.email && { email }),
        ...(ownerUserId !== undefined && (ownerUserId ?? undefined) !== state.ownerUserId && { ownerUserId }),
        ...(metadata !== undefined && !sameRecord(state.metadata, metadata) && { metadata }),
        ...(draftInvoices !== undefined && draftInvoices !== state.draftInvoices && { draftInvoices }),
      };
      if (Object.keys(changes).length === 0) return [];
      return [{ type: 'CustomerUpdated', data: { customerId, ...changes, updatedAt: now } }];
    }
    case 'AttachPaymentMethod': {
      const { paymentMethod, now } = command.data;
      if (!PAYMENT_METHOD.test(paymentMethod)) throw invalid('paymentMethod', 'must be a gateway token such as pm_…, never card data');
      if (state.paymentMethod === paymentMethod) return [];
      return [{ type: 'PaymentMethodAttached', data: { customerId, paymentMethod, attachedAt: now } }];
    }
    case 'ApplyDiscount': {
      const { discount, now } = command.data;
      if (state.discount?.redemptionId === discount.redemptionId) return [];
      if (state.discount) {
        throw new ConflictError('customer.discount_exists', `the customer has coupon ${state.discount.couponId}'s discount: remove it first`, { couponId: state.discount.couponId });
      }
      return [{ type: 'CustomerDiscountApplied', data: { customerId, ...discount, appliedAt: now } }];
    }
    case 'RemoveDiscount': {
      if (!state.discount) return [];
      const { couponId, redemptionId } = state.discount;
      return [{ type: 'CustomerDiscountRemoved', data: { customerId, couponId, redemptionId, removedAt: command.data.now } }];
    }
    case 'SetCustomerTaxRate': {
      const { taxRateId, now } = command.data;
      if ((state.taxRateId ?? null) === taxRateId) return [];
      return [{ type: 'CustomerTaxRateSet', data: { customerId, taxRateId, setAt: now } }];
    }
    case 'GrantCredit': {
      const { amount, currency, reason, invoiceId, now } = command.data;
      if (reason.trim() === '') throw invalid('reason', 'must not be empty');
      const grant = positive(amount, currency);
      const balanceAfter = addMoney(money(state.credit[currency] ?? 0, currency), grant).amount;
      return [
        {
          type: 'CustomerCreditGranted',
          data: { customerId, amount, currency, reason, ...(invoiceId !== undefined && { invoiceId }), balanceAfter, grantedAt: now },
        },
      ];
    }
    case 'ApplyCredit': {
      const { amount, currency, invoiceId, now } = command.data;
      const applied = positive(amount, currency);
      const balance = state.credit[currency] ?? 0;
      if (amount > balance) {
        throw new ConflictError('customer.insufficient_credit', `the customer has ${balance} ${currency} of credit, not ${amount}`, {
          balance,
          currency,
        });
      }
      const balanceAfter = subtractMoney(money(balance, currency), applied).amount;
      return [
        {
          type: 'CustomerCreditApplied',
          data: { customerId, amount, currency, ...(invoiceId !== undefined && { invoiceId }), balanceAfter, appliedAt: now },
        },
      ];
    }
  }
  const _exhaustive: never = command;
  return _exhaustive;
};
