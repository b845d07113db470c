import type { Money } from '../../domain/shared/index.js';

/** ISO 4217's minor-unit exponent: 2 for usd, 0 for jpy, 3 for kwd. */
const fractionDigits = (code: string): number =>
  new Intl.NumberFormat('en-US', { style: 'currency', currency: code }).resolvedOptions().maximumFractionDigits ?? 2;

/**
 * Minor units as the customer reads them: 3000 usd → "30.00 USD",
 * 123456789 usd → "1,234,567.89 USD", 500 jpy → "500 JPY". Digits are moved
 * as text, never divided as a float.
 */
export const formatAmount = ({ amount, currency }: Money): string => {
  if (!Number.isSafeInteger(amount)) throw new RangeError(`not a safe integer of minor units: ${amount}`);
  const code = currency.toUpperCase();
  const digits = fractionDigits(code);
  const text = String(Math.abs(amount)).padStart(digits + 1, '0');
  const major = BigInt(text.slice(0, text.length - digits)).toLocaleString('en-US');
  const minor = digits > 0 ? `.${text.slice(text.length - digits)}` : '';
  return `${amount < 0 ? '-' : ''}${major}${minor} ${code}`;
};

const DAY = new Intl.DateTimeFormat('en-GB', { day: 'numeric', month: 'long', year: 'numeric', timeZone: 'UTC' });

/** An ISO instant as a UTC day: "2028-01-31T00:00:00Z" → "31 January 2028". */
export const formatDay = (instant: string): string => {
  const date = new Date(instant);
  if (Number.isNaN(date.getTime())) throw new RangeError(`not an ISO instant: ${instant}`);
  return DAY.format(date);
};
