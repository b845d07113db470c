import { z } from 'zod';
import type { Aggregate } from '../../application/shared/index.js';
import type { Command, Event } from '../../domain/shared/index.js';
import { foldStream } from '../../eventstore/index.js';
import { streamsOfCategory } from '../../projections/stream/index.js';
import { keysetCursor, page } from '../http/index.js';
import type { CommerceRoutesDeps, Ctx } from './resource.js';

/**
 * A page of resources listed from their own streams, by id: the streams
 * read model names a category's streams, and each is folded. For kinds few
 * enough to be read one by one (tax rates, coupons), which need no read model
 * of their own, nor another reader of the log.
 */
export const streamList = <S, C extends Command, E extends Event, Existing extends S, View>(
  deps: Pick<CommerceRoutesDeps, 'db' | 'store'>,
  r: Readonly<{ aggregate: Aggregate<S, C, E>; isExisting: (s: S) => s is Existing; present: (s: Existing, revision: bigint) => View; category: string; id: RegExp }>,
) => {
  const prefix = `${r.category}-`;
  const cursor = keysetCursor((key) => r.id.test(key));
  return {
    query: z.object({ limit: z.coerce.number().int().min(1).max(100).default(20), cursor: cursor.schema.optional() }).strict(),
    answer: async (ctx: Ctx, { limit, cursor: after }: Readonly<{ limit: number; cursor?: string }>) => {
      const names = await streamsOfCategory(deps.db, r.category, limit, after === undefined ? undefined : `${prefix}${after}`);
      const folded = await Promise.all(names.map(async (name) => ({ name, ...(await foldStream(deps.store, name, r.aggregate.decider)) })));
      const existing = folded.flatMap((f) => (r.isExisting(f.state) && f.revision !== undefined ? [{ name: f.name, state: f.state, revision: f.revision }] : []));
      ctx.body = page(existing, limit, (last) => cursor.encode(last.name.slice(prefix.length)), (f) => r.present(f.state, f.revision));
    },
  };
};
