/** Prints the comparison table. */
import { CONFIG, type MetricKey, type Rate, type SuiteResult } from './workloads.js';

type Row = Readonly<{ key: MetricKey; metric: string; target?: number }>;

const fmt = (n: number): string => Math.round(n).toLocaleString('en-US');

export const ROWS: readonly Row[] = [
  { key: 'single1', metric: `appends/s, 1 event, 1 writer (${fmt(CONFIG.single1Appends)} appends)` },
  {
    key: 'single32',
    metric: `appends/s, 1 event, ${CONFIG.single32Writers} writers (${fmt(CONFIG.single32Appends)} appends)`,
    target: 5_000,
  },
  {
    key: 'batch',
    metric: `events/s, ${CONFIG.batchSize}-event batches, ${CONFIG.batchWriters} writers (${fmt(CONFIG.batchCount)} batches)`,
    target: 28_000,
  },
  { key: 'readAll', metric: `events/s, readAll, pages of ${fmt(CONFIG.readPageSize)}` },
  { key: 'projection', metric: `events/s, counter projection, batches of ${CONFIG.projectionBatchSize}`, target: 25_000 },
];

const cell = (rate: Rate | undefined): string => (rate ? fmt(rate.perSecond) : 'n/a');

const ratio = (a: Rate | undefined, b: Rate | undefined): string =>
  a && b ? `${(a.perSecond / b.perSecond).toFixed(2)}x` : 'n/a';

const targetCell = (row: Row, rate: Rate | undefined): string => {
  if (row.target === undefined) return '-';
  const verdict = rate === undefined ? '' : rate.perSecond >= row.target ? ' (met)' : ' (MISSED)';
  return `>= ${fmt(row.target)}${verdict}`;
};

export const printReport = (header: readonly string[], billstream: SuiteResult, emmett: SuiteResult | undefined) => {
  const table = [
    ['metric', 'billstream', 'emmett', 'ratio b/e', 'target (billstream)'],
    ...ROWS.map((row) => {
      const b = billstream.rates[row.key];
      const e = emmett?.rates[row.key];
      return [row.metric, cell(b), cell(e), ratio(b, e), targetCell(row, b)];
    }),
  ];
  const widths = table[0]!.map((_, c) => Math.max(...table.map((r) => r[c]!.length)));
  const line = (r: string[]) =>
    r.map((text, c) => (c === 0 || c === 4 ? text.padEnd(widths[c]!) : text.padStart(widths[c]!))).join(' | ');
  const out = [
    ...header,
    '',
    line(table[0]!),
    widths.map((w) => '-'.repeat(w)).join('-|-'),
    ...table.slice(1).map(line),
  ];
  const notes = [...billstream.notes, ...(emmett?.notes ?? [])];
  if (notes.length > 0) out.push('', 'notes:', ...notes.map((n) => `  - ${n}`));
  console.log(out.join('\n').replace(/ +$/gm, ''));
};
