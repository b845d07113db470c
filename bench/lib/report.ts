/** Prints the comparison table. */
import { CONFIG, type MetricKey, type Rate, type SuiteResult } from './workloads.js';

/** `append`: the rows that raw pg, which only appends, is measured for. */
type Row = Readonly<{ key: MetricKey; metric: string; append?: boolean; target?: number }>;

const fmt = (n: number): string => Math.round(n).toLocaleString('en-US');

export const ROWS: readonly Row[] = [
  { key: 'single1', metric: `appends/s, 1 event, 1 writer (${fmt(CONFIG.single1Appends)} appends)`, append: true },
  {
    key: 'single32',
    metric: `appends/s, 1 event, ${CONFIG.single32Writers} writers (${fmt(CONFIG.single32Appends)} appends)`,
    append: true,
    target: 5_000,
  },
  {
    key: 'batch',
    metric: `events/s, ${CONFIG.batchSize}-event batches, ${CONFIG.batchWriters} writers (${fmt(CONFIG.batchCount)} batches)`,
    append: true,
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

const RAW_NOTE =
  'raw pg: the same server with no event-store logic, as a ceiling: autocommit single-row INSERTs ' +
  `(named statement) and one ${CONFIG.batchSize}-row INSERT ... SELECT FROM unnest(...) per batch, ` +
  'into raw_events (identity id, stream_name, data jsonb), in its own database, measured before the event stores';

export const printReport = (
  header: readonly string[],
  billstream: SuiteResult,
  emmett: SuiteResult | undefined,
  raw: SuiteResult | undefined,
) => {
  const table = [
    ['metric', 'billstream', 'emmett', 'raw pg', 'ratio b/e', 'billstream/raw', 'target (billstream)'],
    ...ROWS.map((row) => {
      const b = billstream.rates[row.key];
      const e = emmett?.rates[row.key];
      const r = raw?.rates[row.key];
      return [
        row.metric,
        cell(b),
        cell(e),
        row.append ? cell(r) : '-',
        ratio(b, e),
        row.append ? ratio(b, r) : '-',
        targetCell(row, b),
      ];
    }),
  ];
  const last = table[0]!.length - 1;
  const widths = table[0]!.map((_, c) => Math.max(...table.map((r) => r[c]!.length)));
  const line = (r: string[]) =>
    r.map((text, c) => (c === 0 || c === last ? text.padEnd(widths[c]!) : text.padStart(widths[c]!))).join(' | ');
  const out = [
    ...header,
    '',
    line(table[0]!),
    widths.map((w) => '-'.repeat(w)).join('-|-'),
    ...table.slice(1).map(line),
  ];
  const notes = [...(raw ? [RAW_NOTE] : []), ...billstream.notes, ...(emmett?.notes ?? []), ...(raw?.notes ?? [])];
  if (notes.length > 0) out.push('', 'notes:', ...notes.map((n) => `  - ${n}`));
  console.log(out.join('\n').replace(/ +$/gm, ''));
};
