import type { Context } from 'koa';
import type { Kysely } from 'kysely';
import { z } from 'zod';
import { type UserCommandResult, type UserCommands } from '../../application/user/index.js';
import { ForbiddenError, NotFoundError, ROLES, safeText, userOf } from '../../domain/shared/index.js';
import type { UserState } from '../../domain/user/index.js';
import type { Database } from '../../db/index.js';
import type { ProjectionRunner } from '../../projections/runtime/index.js';
import { getUser, listUsers, USERS_PROJECTION, type UserView } from '../../projections/user/index.js';
import { actorOf, etag, ifMatch, minPosition, originOf, setPosition } from '../shared/index.js';
import { requireRole } from '../http/index.js';
import { validate } from '../http/index.js';
import { keysetCursor, page } from '../http/index.js';
import { createRouter } from '../http/index.js';
import type { ApiState } from '../http/index.js';

export type UserRoutesDeps = Readonly<{
  db: Kysely<Database>;
  users: UserCommands;
  projections: ProjectionRunner;
  waitMs: number;
}>;

type Ctx = Context & { state: ApiState };

const present = (u: UserView) => ({ ...u, revision: u.revision.toString() });

/** The same shape as the read model's, from the stream the command just wrote. */
const presentState = (state: Exclude<UserState, { status: 'unregistered' }>, revision: bigint) => ({
  userId: state.userId,
  email: state.email,
  displayName: state.displayName,
  role: state.role,
  active: state.status === 'active',
  revision: revision.toString(),
  registeredAt: state.registeredAt,
  updatedAt: state.updatedAt,
});

/** A USER reads only itself; AUDITOR, ADMIN and MANAGER read everyone. */
const mayRead = (ctx: Ctx, userId: string): boolean =>
  ctx.state.actor?.role !== 'USER' || userOf(ctx.state.actor) === userId;

const USER_ID = /^usr_[0-9a-f]{32}$/;
const userId = safeText.regex(USER_ID, 'not a user id');
const cursor = keysetCursor((key) => USER_ID.test(key));

/**
 * A command's answer is the user as the command left it, from the stream it
 * wrote, never a read model that may not have caught up. X-Position tells the
 * caller where to wait (X-Min-Position) before reading lists.
 */
const answer = (ctx: Ctx, result: UserCommandResult) => {
  const { newState: state, nextExpectedRevision: revision } = result;
  if (state.status === 'unregistered' || revision === undefined) throw new NotFoundError('user.not_found', 'the user does not exist');
  ctx.set('ETag', etag(revision));
  ctx.body = { data: presentState(state, revision), position: setPosition(ctx, result.position) };
};

/** Only ADMIN and MANAGER manage users; anyone else is refused before the target is even looked up. */
const manages = requireRole('ADMIN', 'MANAGER');

export const userRoutes = (deps: UserRoutesDeps) => {
  const router = createRouter('/v1/users');
  const readsUsers = minPosition(deps.projections, [USERS_PROJECTION], deps.waitMs);

  router.get(
    '/',
    readsUsers,
    validate({
      query: z.object({
        role: z.enum(ROLES).optional(),
        active: z.enum(['true', 'false']).transform((v) => v === 'true').optional(),
        limit: z.coerce.number().int().min(1).max(100).default(20),
        cursor: cursor.schema.optional(),
      }),
    }),
    async (ctx) => {
      const { role, active, limit, cursor: after } = ctx.state.valid.query;
      const actor = ctx.state.actor!;
      const rows = await listUsers(deps.db, {
        limit,
        ...(role && { role }),
        ...(active !== undefined && { active }),
        ...(after && { after }),
        ...(actor.role === 'USER' && { onlyUserId: userOf(actor) }),
      });
      ctx.body = page(rows, limit, (last) => cursor.encode(last.userId), present);
    },
  );

  router.get('/:id', readsUsers, validate({ params: z.object({ id: userId }) }), async (ctx) => {
    const { id } = ctx.state.valid.params;
    if (!mayRead(ctx, id)) throw new ForbiddenError('user.forbidden', 'a USER reads only itself');
    const view = await getUser(deps.db, id);
    if (!view) throw new NotFoundError('user.not_found', 'the user does not exist');
    ctx.set('ETag', etag(view.revision));
    ctx.body = { data: present(view) };
  });

  router.patch(
    '/:id/role',
    manages,
    validate({ params: z.object({ id: userId }), body: z.object({ role: z.enum(ROLES) }).strict() }),
    async (ctx) => {
      const { id } = ctx.state.valid.params;
      answer(ctx, await deps.users.changeRole(id, ctx.state.valid.body.role, actorOf(ctx), originOf(ctx), ifMatch(ctx)));
    },
  );

  router.delete(
    '/:id',
    manages,
    validate({ params: z.object({ id: userId }), query: z.object({ reason: safeText.max(500).optional() }) }),
    async (ctx) => {
      const { id } = ctx.state.valid.params;
      answer(ctx, await deps.users.deactivate(id, ctx.state.valid.query.reason, actorOf(ctx), originOf(ctx), ifMatch(ctx)));
    },
  );

  router.patch('/:id/reactivate', manages, validate({ params: z.object({ id: userId }) }), async (ctx) => {
    const { id } = ctx.state.valid.params;
    answer(ctx, await deps.users.reactivate(id, actorOf(ctx), originOf(ctx), ifMatch(ctx)));
  });

  return router;
};
