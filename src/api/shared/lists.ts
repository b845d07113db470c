import { userOf } from '../../domain/shared/index.js';
import { z } from 'zod';
import { idOf } from '../../application/shared/index.js';
import { keysetCursor } from '../http/index.js';
import type { createRouter } from '../http/index.js';
import type { Ctx } from './resource.js';

export type Router = ReturnType<typeof createRouter>;

/** `limit` of a list: 1 to 100, 20 when not given. */
export const listLimit = z.coerce.number().int().min(1).max(100).default(20);
/** The keyset cursor of a list of `kind`s: an id of that kind. */
export const cursorOf = (kind: 'customer' | 'plan' | 'contract' | 'subscription') => {
  const pattern = idOf(kind);
  return keysetCursor((key) => pattern.safeParse(key).success);
};

/**
 * A USER lists only what belongs to the customers it owns. An owner filter
 * naming someone else then matches nothing, as it would for an unknown user.
 */
export const ownerFilter = (ctx: Ctx, asked: string | undefined): { ownerUserId?: string; nothing: boolean } => {
  const actor = ctx.state.actor!;
  if (actor.role !== 'USER') return asked ? { ownerUserId: asked, nothing: false } : { nothing: false };
  return { ownerUserId: userOf(actor), nothing: asked !== undefined && asked !== userOf(actor) };
};

/** The answer of a list that can match nothing. */
export const emptyPage = { data: [], page: { hasMore: false, nextCursor: null } };
