import type { Transaction, Updateable } from 'kysely';
import type { Database } from '../../db/index.js';
import type { ContractCreated, ContractEvent } from '../../domain/contract/index.js';
import type { RecordedEvent } from '../../eventstore/index.js';
import { domainEvent, inChunks } from '../runtime/index.js';
import type { Projection } from '../runtime/index.js';
import type { ContractsTable } from './table.js';

export const CONTRACTS_PROJECTION = 'contracts';

const STREAM_PREFIX = 'contract-';
/** From the stream name, which every event has, whatever its type. */
const idOf = (recorded: RecordedEvent): string => recorded.streamName.slice(STREAM_PREFIX.length);

/** The columns an event changes; `revision` is set beside them. suspended_at is set only while SUSPENDED. */
const changeOf = (event: ContractEvent): Updateable<ContractsTable> => {
  switch (event.type) {
    case 'ContractActivated':
      return { status: 'ACTIVE', activated_at: event.data.activatedAt, updated_at: event.data.activatedAt };
    case 'ContractSuspended':
      return { status: 'SUSPENDED', suspended_at: event.data.suspendedAt, updated_at: event.data.suspendedAt };
    case 'ContractResumed':
      return { status: 'ACTIVE', suspended_at: null, updated_at: event.data.resumedAt };
    case 'ContractTerminated':
      return { status: 'TERMINATED', suspended_at: null, ended_at: event.data.terminatedAt, updated_at: event.data.terminatedAt };
    case 'ContractExpired':
      return { status: 'EXPIRED', suspended_at: null, ended_at: event.data.expiredAt, updated_at: event.data.expiredAt };
    default:
      // Creation inserts; an event type this code does not know still moves the revision (the ETag).
      return {};
  }
};

const insertCreated = async (trx: Transaction<Database>, events: readonly RecordedEvent[]): Promise<void> => {
  for (const chunk of inChunks(events)) {
    await trx
      .insertInto('read.contracts')
      .values(
        chunk.map((recorded) => {
          const { data } = domainEvent<ContractCreated>(recorded);
          return {
            contract_id: data.contractId,
            customer_id: data.customerId,
            title: data.title,
            terms: data.terms ?? null,
            starts_at: data.startsAt,
            ends_at: data.endsAt ?? null,
            status: 'DRAFT',
            activated_at: null,
            suspended_at: null,
            ended_at: null,
            revision: recorded.revision,
            created_at: data.createdAt,
            updated_at: data.createdAt,
          };
        }),
      )
      .onConflict((oc) => oc.column('contract_id').doNothing())
      .execute();
  }
};

/**
 * Creations are inserted first, all at once (each is its stream's first
 * event); every other event is an UPDATE of the columns it changes, guarded by
 * the revision so that replaying any prefix changes nothing.
 */
export const contractsProjection: Projection = {
  name: CONTRACTS_PROJECTION,
  filter: { streamPrefixes: [STREAM_PREFIX] },
  apply: async (trx, events) => {
    await insertCreated(trx, events.filter((e) => e.type === 'ContractCreated'));
    for (const recorded of events) {
      if (recorded.type === 'ContractCreated') continue;
      await trx
        .updateTable('read.contracts')
        .set({ ...changeOf(domainEvent<ContractEvent>(recorded)), revision: recorded.revision })
        .where('contract_id', '=', idOf(recorded))
        .where('revision', '<', recorded.revision.toString())
        .execute();
    }
  },
  reset: async (trx) => {
    await trx.deleteFrom('read.contracts').execute();
  },
};
