import type { Transaction, Updateable } from 'kysely';
import type { Database } from '../../db/index.js';
import type { PlanCreated, PlanEvent } from '../../domain/plan/index.js';
import type { RecordedEvent } from '../../eventstore/index.js';
import { domainEvent, inChunks, jsonOrNull } from '../runtime/index.js';
import type { Projection } from '../runtime/index.js';
import type { PlansTable } from './table.js';

export const PLANS_PROJECTION = 'plans';

const STREAM_PREFIX = 'plan-';
/** From the stream name, which every event has, whatever its type. */
const idOf = (recorded: RecordedEvent): string => recorded.streamName.slice(STREAM_PREFIX.length);

/** The columns an event changes; `revision` is set beside them. */
const changeOf = (event: PlanEvent): Updateable<PlansTable> => {
  switch (event.type) {
    case 'PlanUpdated': {
      const { name, description, metadata, updatedAt } = event.data;
      return {
        ...(name !== undefined && { name }),
        ...(description !== undefined && { description }),
        ...(metadata !== undefined && { metadata: jsonOrNull(metadata) }),
        updated_at: updatedAt,
      };
    }
    case 'PlanTaxRateSet':
      return { tax_rate_id: event.data.taxRateId, updated_at: event.data.setAt };
    case 'PlanArchived':
      return { status: 'archived', archived_at: event.data.archivedAt, updated_at: event.data.archivedAt };
    default:
      // Creation inserts; an event type this code does not know still moves the revision (the ETag).
      return {};
  }
};

const insertCreated = async (trx: Transaction<Database>, events: readonly RecordedEvent[]): Promise<void> => {
  for (const chunk of inChunks(events)) {
    await trx
      .insertInto('read.plans')
      .values(
        chunk.map((recorded) => {
          const { data } = domainEvent<PlanCreated>(recorded);
          return {
            plan_id: data.planId,
            name: data.name,
            description: data.description ?? null,
            pricing_model: data.pricingModel,
            amount: data.amount,
            currency: data.currency,
            interval: data.interval,
            interval_count: data.intervalCount,
            trial_days: data.trialDays,
            metadata: jsonOrNull(data.metadata),
            status: 'active' as const,
            archived_at: null,
            tax_rate_id: null,
            revision: recorded.revision,
            created_at: data.createdAt,
            updated_at: data.createdAt,
          };
        }),
      )
      .onConflict((oc) => oc.column('plan_id').doNothing())
      .execute();
  }
};

/**
 * Creations are inserted first, all at once (each is its stream's first
 * event); every other event is an UPDATE of the columns it changes, guarded by
 * the revision so that replaying any prefix changes nothing.
 */
export const plansProjection: Projection = {
  name: PLANS_PROJECTION,
  filter: { streamPrefixes: [STREAM_PREFIX] },
  apply: async (trx, events) => {
    await insertCreated(trx, events.filter((e) => e.type === 'PlanCreated'));
    for (const recorded of events) {
      if (recorded.type === 'PlanCreated') continue;
      await trx
        .updateTable('read.plans')
        .set({ ...changeOf(domainEvent<PlanEvent>(recorded)), revision: recorded.revision })
        .where('plan_id', '=', idOf(recorded))
        .where('revision', '<', recorded.revision.toString())
        .execute();
    }
  },
  reset: async (trx) => {
    await trx.deleteFrom('read.plans').execute();
  },
};
