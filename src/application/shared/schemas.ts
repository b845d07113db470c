import { z } from 'zod';
import { displayText, safeText, ValidationError } from '../../domain/shared/index.js';
import { MAX_INT8 } from '../../eventstore/index.js';

/**
 * What the API and the CLI accept, one schema each, so both refuse the same
 * input the same way. The deciders guard their own invariants again.
 */
export const ID = {
  customer: /^cus_[0-9a-f]{32}$/,
  plan: /^pln_[0-9a-f]{32}$/,
  contract: /^ctr_[0-9a-f]{32}$/,
  subscription: /^sub_[0-9a-f]{32}$/,
  /** A hash of what the invoice bills (src/application/invoice/invoiceIds.ts), not a UUID. */
  invoice: /^inv_[0-9a-f]{32}$/,
  user: /^usr_[0-9a-f]{32}$/,
  /** A UUIDv7 for one asked for; a hash of what it is for, for one the billing engine issued. */
  creditNote: /^cn_[0-9a-f]{32}$/,
  refund: /^re_[0-9a-f]{32}$/,
  taxRate: /^txr_[0-9a-f]{32}$/,
  coupon: /^cpn_[0-9a-f]{32}$/,
  apiKey: /^key_[0-9a-f]{32}$/,
  webhookEndpoint: /^whe_[0-9a-f]{32}$/,
} as const;

export const idOf = (kind: keyof typeof ID) => safeText.regex(ID[kind], `not a ${kind} id`);

/** Up to 50 string pairs, as Stripe allows; keys are short names. */
export const metadataSchema = z
  .record(safeText.regex(/^[A-Za-z0-9_.-]{1,40}$/, 'metadata keys are 1–40 letters, digits, _ . -'), safeText.max(500))
  .refine((m) => Object.keys(m).length <= 50, 'at most 50 metadata keys');

/** An amount in minor units: a whole number, never negative. */
export const minorUnits = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER);
/** An ISO 4217 code in lower case. */
export const currency = safeText.regex(/^[a-z]{3}$/, 'an ISO 4217 code in lower case, such as usd');
const EARLIEST = Date.parse('0001-01-01T00:00:00.000Z');
const LATEST = Date.parse('9999-12-31T23:59:59.999Z');

const instantProblem = (text: string, ms: number): string | undefined => {
  if (!(ms >= EARLIEST && ms <= LATEST)) return 'an instant from year 0001 to 9999 in UTC';
  const fraction = /\.(\d+)/.exec(text)?.[1] ?? '';
  if (/[1-9]/.test(fraction.slice(3))) return 'at most millisecond precision';
  return undefined;
};

/**
 * An ISO instant with an offset, kept as UTC to the millisecond, as every
 * instant the system writes is: the stream, the read model and the API then
 * hold the same text for it. Years 0001 to 9999 in UTC, which PostgreSQL's
 * timestamptz and Date both hold (year 0000 stopped the contracts read model
 * for good); finer than a millisecond is refused, not dropped.
 */
export const instant = safeText.pipe(z.iso.datetime({ offset: true })).transform((text, ctx) => {
  const ms = Date.parse(text);
  const problem = instantProblem(text, ms);
  if (problem === undefined) return new Date(ms).toISOString();
  ctx.issues.push({ code: 'custom', message: problem, input: text });
  return z.NEVER;
});

export const reasonInput = z.object({ reason: displayText(500).optional() }).strict();

const REVISION = /^\d{1,19}$/;

/** `asOf` (an ISO instant) or `revision` (a stream revision), not both: where in a stream's history to read. */
export const pointInTimeInput = z
  .object({
    asOf: instant.optional(),
    revision: safeText
      .regex(REVISION, 'a stream revision: digits')
      // zod runs a refinement even after the regex failed, and BigInt('1.5') throws.
      .refine((r) => !REVISION.test(r) || BigInt(r) <= MAX_INT8, 'beyond a stream revision')
      .optional(),
  })
  .refine((q) => q.asOf === undefined || q.revision === undefined, 'ask for asOf or revision, not both');

/** Parses with `schema` or throws the ValidationError every caller maps to a 400. */
export const parseInput = <S extends z.ZodType>(schema: S, input: unknown, reason: string): z.output<S> => {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  throw new ValidationError(reason, 'the input is not valid', {
    fields: result.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })),
  });
};
