/**
 * A projector process for the crash test: it runs one test projection and
 * reports each batch on stdout after writing its rows and before committing,
 * then lingers there so the parent can kill it mid-transaction.
 * Usage: crashProjector.ts <databaseUrl> <projectionName> <streamPrefix> <lingerMs>
 */
import { createPool, createKysely } from '../../src/db/pool.js';
import { createPostgresEventStore } from '../../src/eventstore/index.js';
import { createSilentLogger } from '../../src/logger/index.js';
import { ProjectionRunner } from '../../src/projections/runtime/index.js';
import { testProjection } from '../projections/testProjection.js';

const [url, name, prefix, lingerMs] = process.argv.slice(2);
const pool = createPool({ connectionString: url!, max: 4 });
const db = createKysely(pool);
const store = createPostgresEventStore({ pool, connectionString: url!, pollIntervalMs: 100 });
await store.start();
const runner = new ProjectionRunner({
  db,
  store,
  logger: createSilentLogger(),
  batchSize: 100,
  projections: [
    testProjection(name!, {
      streamPrefix: prefix!,
      beforeCommit: async (size) => {
        process.stdout.write(`BATCH_WRITTEN ${size}\n`);
        await new Promise((r) => setTimeout(r, Number(lingerMs)));
      },
    }),
  ],
});
runner.start();
process.stdout.write('STARTED\n');
process.on('SIGTERM', () => {
  void runner
    .stop()
    .then(() => store.close())
    .then(() => db.destroy())
    .then(() => process.exit(0));
});
