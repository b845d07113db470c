import { isSafeText, ValidationError } from '../../domain/shared/index.js';

/**
 * The PaymentGateway port (SPEC §6 Invoice). A charge is for one invoice, in
 * integer minor units, and carries an idempotency key: asked again with the
 * same key, a gateway answers with the first result and charges nothing more.
 */
export type ChargeRequest = Readonly<{
  invoiceId: string;
  customerId: string;
  /** Minor units (cents), a positive safe integer. */
  amount: number;
  /** ISO 4217, lower case, as everywhere else (src/domain/shared/money.ts). */
  currency: string;
  /** A gateway token such as `pm_ok`, never card data. */
  paymentMethod: string;
  idempotencyKey: string;
}>;

/**
 * A failed charge still has an id, as Stripe's do. `hard` means retrying the
 * same payment method cannot succeed (dunning never retries it); a soft
 * failure may succeed later.
 */
export type ChargeResult =
  | Readonly<{ outcome: 'succeeded'; chargeId: string }>
  | Readonly<{ outcome: 'failed'; code: string; hard: boolean; chargeId: string }>;

/** Part or all of a succeeded charge, given back; the key makes a retried refund the first one. */
export type RefundRequest = Readonly<{ chargeId: string; amount: number; currency: string; idempotencyKey: string }>;
export type RefundResult = Readonly<{ outcome: 'succeeded'; refundId: string }> | Readonly<{ outcome: 'failed'; code: string; refundId: string }>;

/** The gateway's own record of money moved, by currency: what the ledger's cash account must equal. */
export type GatewayTotals = Readonly<{ currency: string; charged: number; refunded: number }>;

export type PaymentGateway = Readonly<{
  charge: (request: ChargeRequest) => Promise<ChargeResult>;
  /**
   * The outcome of the charge under this request's idempotency key, for an
   * attempt that never heard back. A key the gateway never charged under is
   * closed, failed (`charge_abandoned`, soft): a charge arriving under it
   * later gets that answer and moves no money.
   */
  outcome: (request: ChargeRequest) => Promise<ChargeResult>;
  /** Never more than is left of the charge; asked again under the same key, the first answer, and no second refund. */
  refund: (request: RefundRequest) => Promise<RefundResult>;
  /** Every succeeded charge and refund the gateway has made, summed by currency (a balance report). */
  totals: () => Promise<readonly GatewayTotals[]>;
}>;

/** Stripe's bound on an idempotency key; any id this system derives is far shorter. */
export const MAX_KEY_LENGTH = 255;

const CURRENCY = /^[a-z]{3}$/;

const invalid = (field: string, message: string): ValidationError => new ValidationError('payment.invalid', `${field} ${message}`, { field });

const text = <R extends Readonly<Record<string, unknown>>>(request: R, field: keyof R & string): void => {
  const value: unknown = request[field];
  if (typeof value !== 'string' || value.length === 0) throw invalid(field, 'must be a non-empty string');
  if (value.length > MAX_KEY_LENGTH) throw invalid(field, `must be at most ${MAX_KEY_LENGTH} characters`);
  // PostgreSQL's text refuses NUL: refused here, never a failed write later.
  if (!isSafeText(value)) throw invalid(field, 'must not contain NUL characters or unpaired surrogates');
};

/** Checks a charge request before any gateway acts on it; throws ValidationError `payment.invalid`. */
export const validateChargeRequest = (request: ChargeRequest): ChargeRequest => {
  text(request, 'invoiceId');
  text(request, 'customerId');
  text(request, 'paymentMethod');
  text(request, 'idempotencyKey');
  amountInCurrency(request);
  return request;
};

const amountInCurrency = (request: Readonly<{ amount: number; currency: string }>): void => {
  if (!Number.isSafeInteger(request.amount) || request.amount <= 0) {
    throw invalid('amount', `must be a positive safe integer of minor units, got ${String(request.amount)}`);
  }
  if (typeof request.currency !== 'string' || !CURRENCY.test(request.currency)) {
    throw invalid('currency', 'must be an ISO 4217 code in lower case');
  }
};

/** Checks a refund request before any gateway acts on it, as a charge's; throws ValidationError `payment.invalid`. */
export const validateRefundRequest = (request: RefundRequest): RefundRequest => {
  text(request, 'chargeId');
  text(request, 'idempotencyKey');
  amountInCurrency(request);
  return request;
};
