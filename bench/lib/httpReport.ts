/** Prints the HTTP bench's tables. */
import { problems, type LoadResult } from './load.js';

export type Scenario = Readonly<{
  key: string;
  label: string;
  kind: 'commands' | 'reads';
  connections: number;
  /** The issue's goals: a rate, a p99, and a share of the bare ceiling measured in the same run. */
  target?: Readonly<{ perSecond: number; p99Ms?: number; ofCeiling?: number }>;
}>;

const fmt = (n: number): string => (Number.isFinite(n) ? Math.round(n).toLocaleString('en-US') : 'n/a');
const ms = (n: number): string => (Number.isFinite(n) ? n.toFixed(1) : 'n/a');

const targetCell = (s: Scenario, r: LoadResult | undefined, c: LoadResult | undefined): string => {
  if (!s.target) return '-';
  const { perSecond, p99Ms, ofCeiling } = s.target;
  const wanted = `>= ${fmt(perSecond)}/s${p99Ms ? `, p99 < ${p99Ms} ms` : ''}${ofCeiling ? `, >= ${ofCeiling}x` : ''}`;
  if (!r) return wanted;
  const met =
    r.perSecond >= perSecond && (p99Ms === undefined || r.p99 < p99Ms) && (ofCeiling === undefined || (c !== undefined && r.perSecond / c.perSecond >= ofCeiling));
  return `${wanted} (${met ? 'met' : 'MISSED'})`;
};

/** Figures right-aligned; the first column and the last `textColumns` left-aligned. */
const table = (rows: string[][], textColumns: number): string[] => {
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
  const isText = (c: number) => c === 0 || c >= widths.length - textColumns;
  const line = (r: string[]) => r.map((text, c) => (isText(c) ? text.padEnd(widths[c]!) : text.padStart(widths[c]!))).join(' | ');
  return [line(rows[0]!), widths.map((w) => '-'.repeat(w)).join('-|-'), ...rows.slice(1).map(line)].map((l) => l.trimEnd());
};

export const printHttpReport = (
  header: readonly string[],
  scenarios: readonly Scenario[],
  billstream: ReadonlyMap<string, LoadResult>,
  ceiling: ReadonlyMap<string, LoadResult>,
  underLogins: Readonly<{ reads: LoadResult; logins: LoadResult; label: string }> | undefined,
  notes: readonly string[],
) => {
  const rows = [
    ['scenario', 'billstream/s', 'p50 ms', 'p99 ms', 'ceiling/s', 'p50 ms', 'p99 ms', 'b/ceiling', 'target (billstream)', 'not 2xx (billstream; ceiling)'],
    ...scenarios.map((s) => {
      const b = billstream.get(s.key);
      const c = ceiling.get(s.key);
      const bad = [b && problems(b), c && problems(c)].filter((p) => p !== undefined);
      return [
        s.label,
        fmt(b?.perSecond ?? Number.NaN),
        ms(b?.p50 ?? Number.NaN),
        ms(b?.p99 ?? Number.NaN),
        fmt(c?.perSecond ?? Number.NaN),
        ms(c?.p50 ?? Number.NaN),
        ms(c?.p99 ?? Number.NaN),
        b && c ? `${(b.perSecond / c.perSecond).toFixed(2)}x` : 'n/a',
        targetCell(s, b, c),
        bad.some((p) => p) ? bad.map((p) => p || 'none').join('; ') : '-',
      ];
    }),
  ];
  const out = [...header, '', ...table(rows, 2)];
  if (underLogins) {
    const { reads, logins, label } = underLogins;
    out.push(
      '',
      label,
      ...table([
        ['load', 'answers/s', 'p50 ms', 'p99 ms', 'answers by status'],
        ['reads (2xx)', fmt(reads.perSecond), ms(reads.p50), ms(reads.p99), statusCounts(reads)],
        ['bad logins (any status)', fmt(logins.answeredPerSecond), ms(logins.p50Any), ms(logins.p99Any), statusCounts(logins)],
      ], 1),
    );
  }
  if (notes.length > 0) out.push('', 'notes:', ...notes.map((n) => `  - ${n}`));
  console.log(out.join('\n'));
};

const statusCounts = (r: LoadResult): string =>
  [
    ...Object.entries(r.byStatus).map(([s, n]) => `${s}: ${fmt(n)}`),
    ...(r.errors ? [`errors: ${r.errors}`] : []),
    ...(r.timeouts ? [`timeouts: ${r.timeouts}`] : []),
  ].join(', ') || 'none';
