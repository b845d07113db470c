/**
 * A contract-cascades process for the crash test. Once `haltAfter` of its
 * appends have completed, every further append waits for ever, so the parent
 * finds it mid-cascade (its checkpoint transaction open, part of the commands
 * written) and kills it there. Appends already sent when the gate closes
 * complete: the count written lies in [haltAfter, haltAfter + concurrency).
 * Usage: cascadeProcess.ts <databaseUrl> <haltAfter>
 */
import { createContractCascades } from '../../src/application/contract/index.js';
import { createKysely, createPool } from '../../src/db/pool.js';
import { createPostgresEventStore, type EventStore } from '../../src/eventstore/index.js';
import { createSilentLogger } from '../../src/logger/index.js';

const [url, haltAfter] = process.argv.slice(2);
const pool = createPool({ connectionString: url!, max: 12 });
const db = createKysely(pool);
const store = createPostgresEventStore({ pool, connectionString: url!, pollIntervalMs: 100 });
await store.start();

let appended = 0;
const halted = new Promise<never>(() => undefined);
const gated: EventStore = {
  ...store,
  appendToStream: async (streamName, events, options) => {
    if (appended >= Number(haltAfter)) return halted;
    const result = await store.appendToStream(streamName, events, options);
    appended++;
    return result;
  },
};

createContractCascades({ db, store: gated, logger: createSilentLogger() }).start();
process.stdout.write('STARTED\n');
