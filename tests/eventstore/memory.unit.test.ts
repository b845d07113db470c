import { createMemoryEventStore } from '../../src/eventstore/index.js';
import { eventStoreConformance } from './eventStore.conformance.js';

// Appends are synchronous in memory, so there are no transactions to hold open or roll back.
eventStoreConformance(
  'memory',
  async () => {
    const store = createMemoryEventStore({ now: () => new Date('2026-01-15T10:00:00Z') });
    return { store, close: () => store.close() };
  },
  { transactions: false, globallyUniqueEventIds: true },
);
