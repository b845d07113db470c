import { createHash } from 'node:crypto';
import { sql, type ColumnType, type Kysely, type Selectable } from 'kysely';
import type { Clock } from '../../clock/index.js';
import type { Database, Int8 } from '../../db/index.js';
import { ConflictError } from '../../domain/shared/index.js';
import { validateRefundRequest, type RefundRequest, type RefundResult } from './gateway.js';

export type SimulatedRefundsTable = {
  idempotency_key: string;
  charge_id: string;
  amount: Int8;
  currency: string;
  outcome: 'succeeded' | 'failed';
  /** Null exactly when the refund succeeded. */
  code: string | null;
  refund_id: string;
  created_at: ColumnType<Date, Date | string, Date | string>;
};

type Row = Selectable<SimulatedRefundsTable>;

const refundIdFor = (idempotencyKey: string): string => `re_sim_${createHash('sha256').update(idempotencyKey).digest('hex').slice(0, 24)}`;

const resultOf = (row: Row): RefundResult =>
  row.outcome === 'succeeded' ? { outcome: 'succeeded', refundId: row.refund_id } : { outcome: 'failed', code: row.code as string, refundId: row.refund_id };

/**
 * The simulated gateway's refunds: idempotent by key, like its charges, and
 * never more than is left of the charge. The charge's row is locked while the
 * refunds of it are summed, so two refunds of one charge at once cannot both
 * take its last cents. A charge made with `pm_refund_fails` has every refund
 * declined; an unknown charge, or one that failed, cannot be refunded.
 */
export const refund = async (deps: Readonly<{ db: Kysely<Database>; clock: Clock }>, input: RefundRequest): Promise<RefundResult> => {
  const request = validateRefundRequest(input);
  const row = await deps.db.transaction().execute(async (trx) => {
    const prior = await trx.selectFrom('payments.simulated_refunds').selectAll().where('idempotency_key', '=', request.idempotencyKey).executeTakeFirst();
    if (prior) return prior;
    const charge = await trx
      .selectFrom('payments.simulated_charges')
      .select(['amount', 'currency', 'payment_method', 'outcome'])
      .where('charge_id', '=', request.chargeId)
      .forUpdate()
      .executeTakeFirst();
    const { rows } = await sql<{ refunded: string | null }>`
      select sum(amount)::text as refunded from payments.simulated_refunds where charge_id = ${request.chargeId} and outcome = 'succeeded'`.execute(trx);
    const left = charge ? Number(charge.amount) - Number(rows[0]?.refunded ?? 0) : 0;
    const code =
      !charge || charge.outcome !== 'succeeded'
        ? 'no_such_charge'
        : charge.currency !== request.currency
          ? 'currency_mismatch'
          : request.amount > left
            ? 'refund_exceeds_charge'
            : charge.payment_method === 'pm_refund_fails'
              ? 'refund_declined'
              : null;
    const inserted = await trx
      .insertInto('payments.simulated_refunds')
      .values({
        idempotency_key: request.idempotencyKey,
        charge_id: request.chargeId,
        amount: request.amount,
        currency: request.currency,
        outcome: code === null ? 'succeeded' : 'failed',
        code,
        refund_id: refundIdFor(request.idempotencyKey),
        created_at: deps.clock.now(),
      })
      .onConflict((oc) => oc.column('idempotency_key').doNothing())
      .returningAll()
      .executeTakeFirst();
    return inserted ?? (await trx.selectFrom('payments.simulated_refunds').selectAll().where('idempotency_key', '=', request.idempotencyKey).executeTakeFirstOrThrow());
  });
  if (row.charge_id !== request.chargeId || Number(row.amount) !== request.amount) {
    throw new ConflictError('payment.idempotency_key_reused', `idempotency key ${request.idempotencyKey} was used for a different refund`, { idempotencyKey: request.idempotencyKey });
  }
  return resultOf(row);
};
