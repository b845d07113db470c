import { sql, type Kysely } from 'kysely';
import type { Database } from '../../db/index.js';
import { formatCollections, readCollections, type CollectionsSummary } from './collections.js';
import { formatTokenMix, type TokenMix } from './tokens.js';

/** What a simulation billed, read from the read models once the clock has reached the end. */
export type Summary = Readonly<{
  invoices: Readonly<{ count: number; finalized: number; total: number; zeroTotal: number }>;
  lines: readonly Readonly<{ type: string; count: number; amount: number }>[];
  /** Sum of invoice totals by the UTC month (YYYY-MM) of the invoice's period_start. */
  revenueByMonth: readonly Readonly<{ month: string; invoices: number; total: number }>[];
  credits: Readonly<{ grants: number; granted: number; applications: number; applied: number }>;
  subscriptionsByStatus: readonly Readonly<{ status: string; count: number }>[];
  collections: CollectionsSummary;
}>;

const n = (value: unknown): number => Number(value ?? 0);

export const readSummary = async (db: Kysely<Database>): Promise<Summary> => {
  const invoices = (
    await sql<{ count: string; finalized: string; total: string | null; zero: string }>`
      select count(*) as count, count(finalized_at) as finalized, sum(total) as total, count(*) filter (where total = 0) as zero
      from read.invoices`.execute(db)
  ).rows[0]!;
  const lines = await sql<{ type: string; count: string; amount: string }>`
    select type, count(*) as count, sum(amount) as amount from read.invoice_lines group by type order by type`.execute(db);
  const months = await sql<{ month: string; invoices: string; total: string }>`
    select to_char(period_start at time zone 'UTC', 'YYYY-MM') as month, count(*) as invoices, sum(total) as total
    from read.invoices group by 1 order by 1`.execute(db);
  const credits = (
    await sql<{ grants: string; granted: string | null; applications: string; applied: string | null }>`
      select count(*) filter (where kind = 'grant') as grants, sum(amount) filter (where kind = 'grant') as granted,
             count(*) filter (where kind = 'application') as applications, sum(amount) filter (where kind = 'application') as applied
      from read.customer_credit_ledger`.execute(db)
  ).rows[0]!;
  const statuses = await sql<{ status: string; count: string }>`
    select status, count(*) as count from read.subscriptions group by status order by status`.execute(db);
  return {
    invoices: { count: n(invoices.count), finalized: n(invoices.finalized), total: n(invoices.total), zeroTotal: n(invoices.zero) },
    lines: lines.rows.map((r) => ({ type: r.type, count: n(r.count), amount: n(r.amount) })),
    revenueByMonth: months.rows.map((r) => ({ month: r.month, invoices: n(r.invoices), total: n(r.total) })),
    credits: { grants: n(credits.grants), granted: n(credits.granted), applications: n(credits.applications), applied: n(credits.applied) },
    subscriptionsByStatus: statuses.rows.map((r) => ({ status: r.status, count: n(r.count) })),
    collections: await readCollections(db),
  };
};

/** Minor units as major ones, with thousands separators: 123456 → "1,234.56". */
export const formatMoney = (minor: number): string => {
  const sign = minor < 0 ? '-' : '';
  const abs = Math.abs(minor);
  const major = Math.floor(abs / 100).toLocaleString('en-US');
  return `${sign}${major}.${String(abs % 100).padStart(2, '0')}`;
};

const count = (value: number) => value.toLocaleString('en-US');
const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
const right = (text: string, width: number) => text.padStart(width);

export type SummaryHeader = Readonly<{
  from: string;
  to: string;
  seed: number;
  subscriptions: number;
  actions: Readonly<Record<string, number>>;
  refused: Readonly<Record<string, number>>;
  tokenMix: TokenMix;
  database: string;
  wallMs: number;
  /** Where the wall time went: starting the system, the customers and contracts, moving the clock (its stops: every trigger run), the steps. */
  time: Readonly<{ startMs: number; setupMs: number; clockMs: number; stops: number; actionsMs: number }>;
}>;

/** The summary as printed on stdout; amounts in usd, the only currency the simulation's plans use. */
export const formatSummary = (h: SummaryHeader, s: Summary): string => {
  const actions = Object.entries(h.actions).map(([k, v]) => `${k} ${count(v)}`).join(', ');
  const refused = Object.entries(h.refused).map(([k, v]) => `${k} ${count(v)}`).join(', ');
  const out = [
    `simulated ${h.from} → ${h.to}, seed ${h.seed}, ${count(h.subscriptions)} subscriptions, database ${h.database}`,
    `payment methods drawn from: ${formatTokenMix(h.tokenMix)}`,
    `actions: ${actions}`,
    `refused: ${refused === '' ? 'none' : refused}`,
    '',
    `invoices: ${count(s.invoices.count)} (${count(s.invoices.finalized)} finalised, ${count(s.invoices.zeroTotal)} with total 0), billed ${formatMoney(s.invoices.total)} usd`,
    `lines: ${s.lines.map((l) => `${l.type} ${count(l.count)} (${formatMoney(l.amount)})`).join(', ')}`,
    '',
    'billed revenue by month of the invoice\'s period start (UTC), usd:',
    ...s.revenueByMonth.map((m) => `  ${m.month}  ${right(count(m.invoices), 7)} invoices  ${right(formatMoney(m.total), 14)}`),
    '',
    `credits: granted ${formatMoney(s.credits.granted)} usd in ${count(s.credits.grants)} grants, applied ${formatMoney(s.credits.applied)} usd to ${count(s.credits.applications)} invoices, left ${formatMoney(s.credits.granted - s.credits.applied)} usd`,
    `subscriptions by status: ${s.subscriptionsByStatus.map((r) => `${r.status} ${count(r.count)}`).join(', ')}`,
    '',
    ...formatCollections(s.collections, formatMoney),
    '',
    `wall time: ${seconds(h.wallMs)} (system start ${seconds(h.time.startMs)}, customers and contracts ${seconds(h.time.setupMs)}, clock ${seconds(h.time.clockMs)} over ${count(h.time.stops)} stops, steps ${seconds(h.time.actionsMs)})`,
  ];
  return `${out.join('\n')}\n`;
};
