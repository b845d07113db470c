/**
 * The workloads run against each event store. A Subject adapts one store; the
 * same work, in the same order, is run against every subject (reads and the
 * projection only against those that implement them).
 */
import { randomUUID } from 'node:crypto';

/** Appends `count` events in one call to the writer's own stream, with the exact expected revision. */
export type StreamWriter = (count: number) => Promise<void>;

export interface Subject {
  readonly label: string;
  writer(streamName: string): StreamWriter;
  /** Reads every event in global order, `pageSize` at a time. */
  readAll?(pageSize: number): Promise<Readonly<{ returned: number; distinct: number }>>;
  /**
   * Runs a counter projection from the start until it has applied every event
   * (or `maxEvents`, for a subject that must be capped). Times itself, setup
   * excluded, and returns the counter's final value.
   */
  project?(options: ProjectOptions): Promise<Readonly<{ applied: number; seconds: number; note?: string }>>;
  countEvents(): Promise<number>;
  close(): Promise<void>;
}

export type ProjectOptions = Readonly<{ batchSize: number; maxEvents: number }>;

export type Rate = Readonly<{ count: number; seconds: number; perSecond: number }>;

export type MetricKey = 'single1' | 'single32' | 'batch' | 'readAll' | 'projection';

export type SuiteResult = Readonly<{
  rates: Partial<Record<MetricKey, Rate>>;
  notes: string[];
}>;

const SCALE = Number(process.env.BENCH_SCALE ?? '1');
const scaled = (n: number): number => Math.max(1, Math.round(n * (Number.isFinite(SCALE) && SCALE > 0 ? SCALE : 1)));

export const CONFIG = {
  single1Appends: scaled(3_000),
  single32Appends: scaled(20_000),
  single32Writers: 32,
  batchCount: scaled(500),
  batchSize: 100,
  batchWriters: 4,
  /** Extra 100-event batches, unmeasured, so reads and projections have ~100k events to chew through. */
  fillBatches: scaled(700),
  readPageSize: 1_000,
  projectionBatchSize: 500,
  /** Emmett's projector writes one event at a time (~1-2k/s): cap it so the run stays short. */
  projectionMaxEvents: scaled(20_000),
} as const;

export const elapsedSeconds = (start: bigint): number => Number(process.hrtime.bigint() - start) / 1e9;

const rate = (count: number, seconds: number): Rate => ({ count, seconds, perSecond: count / seconds });

const spend = async (subject: Subject, tag: string, writers: number, calls: number, eventsPerCall: number) => {
  const run = randomUUID().slice(0, 8);
  const streams = Array.from({ length: writers }, (_, w) => subject.writer(`${tag}-${run}${w}`));
  let taken = 0;
  await Promise.all(
    streams.map(async (write) => {
      while (taken < calls) {
        taken++;
        await write(eventsPerCall);
      }
    }),
  );
};

/**
 * `writers` concurrent writers, each on its own new stream, take calls from a
 * shared budget of `calls` until it is spent. An unmeasured warm-up with the same
 * writers first opens the pool's connections. Returns events per second.
 */
export const appendWorkload = async (
  subject: Subject,
  tag: string,
  { writers, calls, eventsPerCall, warmupCalls = 0 }: AppendWorkload,
): Promise<Rate> => {
  if (warmupCalls > 0) await spend(subject, `${tag}warm`, writers, warmupCalls, eventsPerCall);
  const start = process.hrtime.bigint();
  await spend(subject, tag, writers, calls, eventsPerCall);
  return rate(calls * eventsPerCall, elapsedSeconds(start));
};

type AppendWorkload = Readonly<{ writers: number; calls: number; eventsPerCall: number; warmupCalls?: number }>;

const log = (subject: Subject, message: string) => console.error(`[${subject.label}] ${message}`);

const fmt = (n: number): string => n.toLocaleString('en-US');

const describe = (r: Rate): string =>
  `${r.count.toLocaleString('en-US')} in ${r.seconds.toFixed(2)} s = ${Math.round(r.perSecond).toLocaleString('en-US')}/s`;

/** Runs every workload against one subject, logging progress to stderr. */
export const runSuite = async (subject: Subject): Promise<SuiteResult> => {
  const rates: Partial<Record<MetricKey, Rate>> = {};
  const notes: string[] = [];
  const note = (text: string) => notes.push(`${subject.label}: ${text}`);
  const step = async (key: MetricKey, what: string, work: () => Promise<Rate>) => {
    const r = await work();
    rates[key] = r;
    log(subject, `${what}: ${describe(r)}`);
  };
  const { batchSize, batchWriters, batchCount, single32Writers } = CONFIG;

  await step('single1', 'single-event appends, 1 writer', () =>
    appendWorkload(subject, 'one', { writers: 1, calls: CONFIG.single1Appends, eventsPerCall: 1, warmupCalls: 200 }),
  );
  await step('single32', `single-event appends, ${single32Writers} writers`, () =>
    appendWorkload(subject, 'many', {
      writers: single32Writers,
      calls: CONFIG.single32Appends,
      eventsPerCall: 1,
      warmupCalls: single32Writers * 10,
    }),
  );
  await step('batch', `${batchSize}-event batches, ${batchWriters} writers`, () =>
    appendWorkload(subject, 'batch', {
      writers: batchWriters,
      calls: batchCount,
      eventsPerCall: batchSize,
      warmupCalls: batchWriters * 3,
    }),
  );

  const { readAll, project } = subject;
  // An appends-only subject (raw pg) has nothing to read the fill back with.
  if (!readAll && !project) return { rates, notes };

  log(subject, `fill: ${CONFIG.fillBatches} more batches (not measured)`);
  await appendWorkload(subject, 'fill', { writers: batchWriters, calls: CONFIG.fillBatches, eventsPerCall: batchSize });
  const total = await subject.countEvents();
  log(subject, `${total.toLocaleString('en-US')} events in the store`);

  if (readAll) {
    await step('readAll', `readAll, pages of ${CONFIG.readPageSize} (distinct events)`, async () => {
      const start = process.hrtime.bigint();
      const { returned, distinct } = await readAll.call(subject, CONFIG.readPageSize);
      const r = rate(distinct, elapsedSeconds(start));
      if (returned !== total || distinct !== total) {
        note(
          `readAll returned ${fmt(returned)} events, ${fmt(distinct)} distinct, of the ${fmt(total)} in the store ` +
            `(${fmt(returned - distinct)} duplicates, ${fmt(total - distinct)} never returned)`,
        );
      }
      return r;
    });
  }
  if (project) {
    await step('projection', `projection, batches of ${CONFIG.projectionBatchSize}`, async () => {
      const maxEvents = Math.min(CONFIG.projectionMaxEvents, total);
      const result = await project.call(subject, { batchSize: CONFIG.projectionBatchSize, maxEvents });
      if (result.note) note(result.note);
      return rate(result.applied, result.seconds);
    });
  }
  return { rates, notes };
};
