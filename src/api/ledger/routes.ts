import type { Kysely } from 'kysely';
import { z } from 'zod';
import { reconcileLedger, type ReconcileDeps } from '../../application/ledger/index.js';
import { idOf } from '../../application/shared/index.js';
import { ACCOUNTS } from '../../domain/ledger/index.js';
import type { Database } from '../../db/index.js';
import { formatPosition, MAX_INT8 } from '../../eventstore/index.js';
import { accountBalances, LEDGER_PROJECTION, listEntries, totalsByCurrency, type AccountBalance, type EntryView } from '../../projections/ledger/index.js';
import type { ProjectionRunner } from '../../projections/runtime/index.js';
import { minPosition } from '../shared/index.js';
import { createRouter, keysetCursor, page, requireRole, validate } from '../http/index.js';

export type LedgerRoutesDeps = Readonly<{
  db: Kysely<Database>;
  projections: ProjectionRunner;
  waitMs: number;
  reconcile: Omit<ReconcileDeps, 'db'>;
}>;

/** A page ends at an entry: `<commit>.<prepare>.<eventId>.<seq>`. */
const KEY = /^(\d{1,19})\.(\d{1,19})\.([0-9a-f-]{36})\.(\d{1,4})$/;
const keyOf = (text: string) => {
  const m = KEY.exec(text);
  if (!m || BigInt(m[1]!) > MAX_INT8 || BigInt(m[2]!) > MAX_INT8) return undefined;
  return { commit: BigInt(m[1]!), prepare: BigInt(m[2]!), eventId: m[3]!, seq: Number(m[4]) };
};
const cursor = keysetCursor((key) => keyOf(key) !== undefined);

const presentEntry = (e: EntryView) => ({ ...e, position: formatPosition(e.position) });

/** The accounts, and per currency their sums: the balance of a currency is 0, or the ledger is broken. */
const presentBalances = (accounts: readonly AccountBalance[]) => ({ accounts, totals: totalsByCurrency(accounts) });

/**
 * The ledger, for those who answer for the money: MANAGER, ADMIN and
 * AUDITOR read it; nobody writes it (events do). Reads wait with
 * X-Min-Position for the ledger's projection.
 */
export const ledgerRoutes = (deps: LedgerRoutesDeps) => {
  const router = createRouter('/v1/ledger');
  const readers = requireRole('MANAGER', 'ADMIN', 'AUDITOR');
  const caughtUp = minPosition(deps.projections, [LEDGER_PROJECTION], deps.waitMs);

  router.get('/trial-balance', readers, caughtUp, validate({ query: z.object({}).strict() }), async (ctx) => {
    ctx.body = { data: presentBalances(await accountBalances(deps.db)) };
  });

  router.get('/customers/:id', readers, caughtUp, validate({ params: z.object({ id: idOf('customer') }), query: z.object({}).strict() }), async (ctx) => {
    const { id } = ctx.state.valid.params;
    const accounts = await accountBalances(deps.db, id);
    // The customer's credit is what the business owes it: the credit side of its account.
    const creditBalance = Object.fromEntries(accounts.filter((a) => a.account === 'customer_credit').map((a) => [a.currency, -a.balance]));
    ctx.body = { data: { customerId: id, creditBalance, ...presentBalances(accounts) } };
  });

  router.get(
    '/entries',
    readers,
    caughtUp,
    validate({
      query: z
        .object({
          customerId: idOf('customer').optional(),
          invoiceId: idOf('invoice').optional(),
          account: z.enum(ACCOUNTS).optional(),
          limit: z.coerce.number().int().min(1).max(100).default(50),
          cursor: cursor.schema.optional(),
        })
        .strict(),
    }),
    async (ctx) => {
      const { cursor: after, ...q } = ctx.state.valid.query;
      const rows = await listEntries(deps.db, { ...q, ...(after && { after: keyOf(after)! }) });
      ctx.body = page(rows, q.limit, (last) => cursor.encode(`${last.position.commit}.${last.position.prepare}.${last.eventId}.${last.seq}`), presentEntry);
    },
  );

  /** The ledger against the streams and the gateway, at the position it has reached. */
  router.get('/reconciliation', readers, caughtUp, validate({ query: z.object({}).strict() }), async (ctx) => {
    const r = await reconcileLedger({ db: deps.db, ...deps.reconcile });
    ctx.body = { data: { ...r, position: r.position ? formatPosition(r.position) : null } };
  });

  return router;
};
