/**
 * Event store throughput: billstream's PostgreSQL event store against
 * @event-driven-io/emmett-postgresql, on one embedded PostgreSQL with durable
 * settings (fsync on), each in its own database, with plain `pg` INSERTs into a
 * bare table ("raw pg", appends only) as the server's ceiling.
 *
 *   npm run bench -- eventstore          (BENCH_SCALE=0.1 for a quick run)
 *
 * Progress goes to stderr, the result table to stdout.
 */
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { EmbeddedPostgres } from '../src/db/embeddedPostgres.js';
import { withDatabase } from '../src/db/pool.js';
import { openBillstream } from './lib/billstream.js';
import { openEmmett } from './lib/emmett.js';
import { openRawPg } from './lib/rawpg.js';
import { printReport } from './lib/report.js';
import { runSuite, type Subject, type SuiteResult } from './lib/workloads.js';

const DATABASES = ['bench_raw', 'bench_billstream', 'bench_emmett'] as const;

const prepareServer = async (serverUrl: string): Promise<{ version: string; settings: string }> => {
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  try {
    for (const name of DATABASES) await admin.query(`create database ${name}`);
    const { rows } = await admin.query<{ version: string; fsync: string; sc: string; fpw: string }>(
      `select version() as version, current_setting('fsync') as fsync,
              current_setting('synchronous_commit') as sc, current_setting('full_page_writes') as fpw`,
    );
    const r = rows[0]!;
    return { version: r.version, settings: `fsync=${r.fsync}, synchronous_commit=${r.sc}, full_page_writes=${r.fpw}` };
  } finally {
    await admin.end();
  }
};

const measure = async (open: () => Promise<Subject>): Promise<SuiteResult> => {
  const subject = await open();
  try {
    return await runSuite(subject);
  } finally {
    await subject.close();
  }
};

export const run = async (): Promise<void> => {
  const parent = await mkdtemp(path.join(os.tmpdir(), 'billstream-bench-'));
  // As root the server runs as `postgres`, which must be able to enter the directory.
  await chmod(parent, 0o755);
  const server = new EmbeddedPostgres({ dataDir: path.join(parent, 'postgres'), port: 54_400, durable: true });
  const cleanUp = async () => {
    await server.stop();
    await rm(parent, { recursive: true, force: true });
  };
  // postgres runs detached from our process group: stop it ourselves on Ctrl-C.
  const onSignal = () => {
    console.error('interrupted; stopping PostgreSQL');
    void cleanUp().finally(() => process.exit(130));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);

  try {
    const serverUrl = await server.start();
    const { version, settings } = await prepareServer(serverUrl);
    const cpus = os.cpus();
    const header = [
      'event store benchmark',
      `node ${process.version} | ${version}`,
      `${os.availableParallelism()} CPUs (${cpus[0]?.model.trim() ?? 'unknown'}) | ${os.platform()}-${os.arch()} | ${settings}`,
      `load average at start: ${os.loadavg().map((l) => l.toFixed(2)).join(' ')} (other work on the machine skews the figures)`,
    ];
    console.error(header.join('\n'));

    // raw pg first, on the fresh server billstream also gets: it writes only the
    // measured ~75k small rows (no fill), so it leaves little behind for the others.
    // billstream before Emmett: Emmett changes pg's process-wide type parsers once opened.
    const raw = await measure(() => openRawPg(withDatabase(serverUrl, 'bench_raw')));
    const billstream = await measure(() => openBillstream(withDatabase(serverUrl, 'bench_billstream')));
    const emmett = await measure(() => openEmmett(withDatabase(serverUrl, 'bench_emmett')));
    console.error('');
    printReport(header, billstream, emmett, raw);
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    await cleanUp();
  }
};
