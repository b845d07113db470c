import { sql, type Kysely } from 'kysely';
import type { Database } from '../../db/index.js';
import { customerDecider, type CustomerEvent, type CustomerState } from '../../domain/customer/index.js';
import { amountDueOf, invoiceDecider, type InvoiceEvent, type InvoiceState } from '../../domain/invoice/index.js';
import { comparePositions, type EventStore, type Position } from '../../eventstore/index.js';
import { accountBalances, LEDGER_PROJECTION, openClearings, type AccountBalance } from '../../projections/ledger/index.js';
import { getCheckpoint } from '../../projections/runtime/index.js';
import type { PaymentGateway } from '../payment/index.js';

export type ReconcileDeps = Readonly<{ db: Kysely<Database>; store: EventStore; gateway: Pick<PaymentGateway, 'totals'> }>;

/** One comparison: the ledger's figure beside the one it must equal. */
export type Check = Readonly<{ check: string; currency: string; customerId?: string; ledger: number; expected: number; ok: boolean }>;

export type Reconciliation = Readonly<{
  /** The log position the ledger had reached: the streams are read up to it. */
  position: Position | undefined;
  ok: boolean;
  checks: readonly Check[];
  /** Movements between two streams only one side has posted, by invoice. */
  openClearings: readonly Readonly<{ invoiceId: string | null; currency: string; balance: number }>[];
  /**
   * Credit applied to drafts under review: taken from the balance when the
   * draft was created, it waits in clearing until the draft is finalised (or
   * voided, and the credit given back). Not a movement left half done.
   */
  heldForDrafts: readonly Readonly<{ invoiceId: string | null; currency: string; balance: number }>[];
}>;

const PAGE = 1_000;
const INVOICE = 'invoice-';
const CUSTOMER = 'customer-';

/** Every invoice and customer, folded from their streams up to `until`. */
const foldStreams = async (store: EventStore, until: Position | undefined) => {
  const invoices = new Map<string, InvoiceState>();
  const customers = new Map<string, CustomerState>();
  if (!until) return { invoices, customers };
  let from: Position | undefined;
  for (;;) {
    const page = await store.readAll({ ...(from && { fromPosition: from }), maxCount: PAGE, filter: { streamPrefixes: [INVOICE, CUSTOMER] } });
    for (const r of page) {
      if (comparePositions(r.position, until) > 0) return { invoices, customers };
      const event = { type: r.type, data: r.data };
      if (r.streamName.startsWith(INVOICE)) {
        invoices.set(r.streamName, invoiceDecider.evolve(invoices.get(r.streamName) ?? invoiceDecider.initialState(), event as InvoiceEvent));
      } else {
        customers.set(r.streamName, customerDecider.evolve(customers.get(r.streamName) ?? customerDecider.initialState(), event as CustomerEvent));
      }
    }
    if (page.length < PAGE) return { invoices, customers };
    from = page.at(-1)!.position;
  }
};

const add = (sums: Map<string, number>, key: string, amount: number) => sums.set(key, (sums.get(key) ?? 0) + amount);
const balanceOf = (balances: readonly AccountBalance[], account: string, currency: string) =>
  balances.find((b) => b.account === account && b.currency === currency)?.balance ?? 0;

/**
 * The ledger against the facts it is derived from, at the position it has
 * reached (read in one snapshot with its checkpoint):
 * - over all accounts of a currency, the entries sum to 0;
 * - each customer's credit account equals the balance folded from its stream;
 * - receivable equals the sum of the open invoices' amounts due, and
 *   written_off that of the invoices written off;
 * - cash equals the gateway's own record of charges less refunds (equal
 *   once no charge is out: one the gateway made and the log has not yet
 *   recorded shows here);
 * - every clearing has settled, but the credit applied to drafts under review.
 */
export const reconcileLedger = async (deps: ReconcileDeps): Promise<Reconciliation> => {
  const { checkpoint, balances, byCustomer, clearings } = await deps.db
    .transaction()
    .setIsolationLevel('repeatable read')
    .execute(async (trx) => {
      const checkpoint = await getCheckpoint(trx, LEDGER_PROJECTION);
      const byCustomer = await trx
        .selectFrom('read.ledger_postings')
        .select(['customer_id', 'currency', sql<string>`sum(balance)`.as('balance')])
        .where('account', '=', 'customer_credit')
        .groupBy(['customer_id', 'currency'])
        .execute();
      return { checkpoint, balances: await accountBalances(trx), byCustomer, clearings: await openClearings(trx) };
    });
  const position = checkpoint?.position;
  const { invoices, customers } = await foldStreams(deps.store, position);
  const checks: Check[] = [];
  const check = (name: string, currency: string, ledger: number, expected: number, customerId?: string) =>
    checks.push({ check: name, currency, ...(customerId !== undefined && { customerId }), ledger, expected, ok: ledger === expected });

  const currencies = new Set(balances.map((b) => b.currency));
  for (const currency of currencies) check('trial_balance', currency, balances.filter((b) => b.currency === currency).reduce((s, b) => s + b.balance, 0), 0);

  const folded = new Map<string, number>();
  for (const state of customers.values()) {
    if (state.status !== 'registered') continue;
    for (const [currency, amount] of Object.entries(state.credit)) add(folded, `${state.customerId}|${currency}`, amount);
  }
  const posted = new Map<string, number>(byCustomer.map((r) => [`${r.customer_id}|${r.currency}`, -Number(r.balance)]));
  for (const key of [...new Set([...folded.keys(), ...posted.keys()])].sort()) {
    const [customerId, currency] = key.split('|') as [string, string];
    if ((folded.get(key) ?? 0) === 0 && (posted.get(key) ?? 0) === 0) continue;
    check('customer_credit', currency, posted.get(key) ?? 0, folded.get(key) ?? 0, customerId);
  }

  const due = new Map<string, number>();
  const writtenOff = new Map<string, number>();
  for (const state of invoices.values()) {
    if (state.status === 'OPEN') add(due, state.currency, amountDueOf(state));
    if (state.status === 'UNCOLLECTIBLE') add(writtenOff, state.currency, amountDueOf(state));
  }
  const gateway = await deps.gateway.totals();
  for (const currency of [...new Set([...currencies, ...due.keys(), ...writtenOff.keys(), ...gateway.map((g) => g.currency)])].sort()) {
    check('receivable', currency, balanceOf(balances, 'receivable', currency), due.get(currency) ?? 0);
    check('written_off', currency, balanceOf(balances, 'written_off', currency), writtenOff.get(currency) ?? 0);
    const g = gateway.find((t) => t.currency === currency);
    check('cash', currency, balanceOf(balances, 'cash', currency), (g?.charged ?? 0) - (g?.refunded ?? 0));
  }
  const heldByDraft = (c: (typeof clearings)[number]) => {
    const invoice = c.invoiceId === null ? undefined : invoices.get(`${INVOICE}${c.invoiceId}`);
    return invoice?.status === 'DRAFT' && c.balance === -invoice.creditApplied;
  };
  const open = clearings.filter((c) => !heldByDraft(c));
  return { position, ok: checks.every((c) => c.ok) && open.length === 0, checks, openClearings: open, heldForDrafts: clearings.filter(heldByDraft) };
};
