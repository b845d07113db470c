import type { Context, Middleware } from 'koa';
import type { Kysely } from 'kysely';
import { z } from 'zod';
import { NotFoundError, type Command, type Event, userOf } from '../../domain/shared/index.js';
import { foldStream, type EventStore, type Folded, type HandleCommandResult } from '../../eventstore/index.js';
import { ownsCustomer } from '../../application/customer/index.js';
import type { Commerce } from '../../application/index.js';
import { pointInTimeInput } from '../../application/shared/index.js';
import { stateAt, type Aggregate, type Ask } from '../../application/shared/index.js';
import type { ContractCascades } from '../../application/contract/index.js';
import type { Database } from '../../db/index.js';
import type { ProjectionRunner } from '../../projections/runtime/index.js';
import { etag, ifMatch, originOf, setPosition } from './commands.js';
import { requireRole } from '../http/index.js';
import type { ApiState } from '../http/index.js';

export type Ctx = Context & { state: ApiState };

/** ADMIN and MANAGER manage customers, plans, contracts and subscriptions. */
export const manages: Middleware<ApiState> = requireRole('ADMIN', 'MANAGER');

/** What a command needs from the request: who asks, the revision they saw (If-Match). */
export const askOf = (ctx: Ctx): Ask => {
  const seen = ifMatch(ctx);
  return { ...originOf(ctx), ...(seen !== undefined && { ifMatch: seen }) };
};

/** `?asOf=<ISO instant>` or `?revision=N`: a resource as it was, folded from its stream. */
export const pointInTimeQuery = pointInTimeInput;

export type PointInTimeQuery = z.infer<typeof pointInTimeQuery>;

export const isPointInTime = (q: PointInTimeQuery): boolean => q.asOf !== undefined || q.revision !== undefined;

export const foldAt = <S, C extends Command, E extends Event>(
  store: EventStore,
  aggregate: Aggregate<S, C, E>,
  id: string,
  q: PointInTimeQuery,
  notFound: () => NotFoundError,
): Promise<Folded<S>> =>
  stateAt(
    store,
    aggregate,
    id,
    { ...(q.asOf !== undefined && { asOf: new Date(q.asOf) }), ...(q.revision !== undefined && { revision: BigInt(q.revision) }) },
    notFound,
  );

/**
 * A command's answer is the resource as the command left it, from the stream
 * it wrote: a no-op answers the current state with 200 and no position.
 */
export const answerWith =
  <S, E extends Event, Existing extends S, View>(isExisting: (s: S) => s is Existing, present: (s: Existing, revision: bigint) => View, notFound: () => NotFoundError) =>
  (ctx: Ctx, result: HandleCommandResult<S, E>, created = false) => {
    const { newState, nextExpectedRevision: revision } = result;
    if (!isExisting(newState) || revision === undefined) throw notFound();
    ctx.set('ETag', etag(revision));
    if (created && result.newEvents.length > 0) ctx.status = 201;
    ctx.body = { data: present(newState, revision), position: setPosition(ctx, result.position) };
  };

export type Resource<S, C extends Command, E extends Event, Existing extends S, View> = Readonly<{
  aggregate: Aggregate<S, C, E>;
  isExisting: (s: S) => s is Existing;
  present: (s: Existing, revision: bigint) => View;
  notFound: () => NotFoundError;
  /** Whether the caller may see this one; a USER is told "not found" either way, so ids cannot be probed. */
  visibleTo: (ctx: Ctx, s: Existing) => Promise<boolean>;
}>;

/**
 * GET of one resource, from its stream: now (with its ETag), or as it was
 * at `asOf` / `revision`.
 */
export const readOne =
  <S, C extends Command, E extends Event, Existing extends S, View>(store: EventStore, r: Resource<S, C, E, Existing, View>) =>
  async (ctx: Ctx, id: string, q: PointInTimeQuery) => {
    const travelling = isPointInTime(q);
    const folded = travelling ? await foldAt(store, r.aggregate, id, q, r.notFound) : await foldStream(store, r.aggregate.streamOf(id), r.aggregate.decider);
    if (!r.isExisting(folded.state) || folded.revision === undefined) throw r.notFound();
    if (!(await r.visibleTo(ctx, folded.state))) throw r.notFound();
    // A past state's revision is no precondition for a write: only the current one carries an ETag.
    if (!travelling) ctx.set('ETag', etag(folded.revision));
    ctx.body = { data: r.present(folded.state, folded.revision) };
  };

/** An action that takes no input refuses a body with fields, as the others refuse unknown ones. */
export const noBody = z.object({}).strict().optional();

/** What the routes of customers, plans, contracts and subscriptions need. */
export type CommerceRoutesDeps = Readonly<{
  db: Kysely<Database>;
  store: EventStore;
  commerce: Commerce;
  projections: ProjectionRunner;
  cascades: Pick<ContractCascades, 'waitFor'>;
  waitMs: number;
}>;

/** A USER sees the customers it owns; everyone else who may read sees all. */
export const seesCustomer = (commerce: Commerce) => async (ctx: Ctx, customerId: string) => {
  const actor = ctx.state.actor!;
  return actor.role !== 'USER' || ownsCustomer(commerce.customers, userOf(actor), customerId);
};
