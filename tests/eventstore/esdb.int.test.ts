import { createEsdbEventStore } from '../../src/eventstore/index.js';
import { startEsdbEmulator } from '../support/esdbEmulator/index.js';
import { eventStoreConformance } from './eventStore.conformance.js';

/**
 * Against the gRPC emulator in `npm test`; against a real EventStoreDB or
 * KurrentDB with `EVENTSTORE_URL=esdb://localhost:2113?tls=false npm run test:esdb`.
 */
const realServer = process.env.EVENTSTORE_URL;

eventStoreConformance(
  realServer ? `esdb (${realServer})` : 'esdb (emulator)',
  async () => {
    const emulator = realServer ? undefined : await startEsdbEmulator();
    const store = createEsdbEventStore({ connectionString: realServer ?? emulator!.url, resubscribeDelayMs: 50 });
    return {
      store,
      close: async () => {
        await store.close();
        await emulator?.close();
      },
    };
  },
  // The server's appends are not transactions a client can hold open; its event ids are idempotent per stream.
  { transactions: false, globallyUniqueEventIds: false },
);
