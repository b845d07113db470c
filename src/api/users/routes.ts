import Router from '@koa/router';
import type { Context, Middleware } from 'koa';
import { z } from 'zod';
import type { UserCommandResult, UserCommands } from '../../accounts/index.js';
import { ForbiddenError, NotFoundError, ROLES } from '../../domain/shared/index.js';
import type { Database, ProjectionRunner } from '../../projections/index.js';
import { getUser, listUsers, USERS_PROJECTION, type UserView } from '../../projections/users/index.js';
import type { Kysely } from 'kysely';
import { actorOf, etag, ifMatch, minPosition, originOf, setPosition } from '../commands.js';
import { validate } from '../middleware/validate.js';
import { page } from '../pagination.js';
import type { ApiState } from '../types.js';

export type UserRoutesDeps = Readonly<{
  db: Kysely<Database>;
  users: UserCommands;
  projections: ProjectionRunner;
  authenticated: Middleware<ApiState>;
  waitMs: number;
}>;

type Ctx = Context & { state: ApiState };

const present = (u: UserView) => ({ ...u, revision: u.revision.toString() });

/** A USER reads only itself; AUDITOR, ADMIN and MANAGER read everyone. */
const mayRead = (ctx: Ctx, userId: string): boolean =>
  ctx.state.principal?.role !== 'USER' || ctx.state.principal.userId === userId;

const cursor = {
  encode: (userId: string) => Buffer.from(userId).toString('base64url'),
  decode: (text: string) => Buffer.from(text, 'base64url').toString(),
};

const userId = z.string().regex(/^usr_[0-9a-f]{32}$/, 'not a user id');

export const userRoutes = (deps: UserRoutesDeps): Router<ApiState> => {
  const router = new Router<ApiState>({ prefix: '/v1/users' });
  router.use(deps.authenticated);
  const readsUsers = minPosition(deps.projections, [USERS_PROJECTION], deps.waitMs);

  /**
   * A command's answer: the user as the read model has it once it has caught up
   * with the command (so the next request, the caller's token check included,
   * sees the change), with ETag and X-Position.
   */
  const answer = async (ctx: Ctx, id: string, result: UserCommandResult) => {
    if (result.position) await deps.projections.waitFor([USERS_PROJECTION], result.position, deps.waitMs);
    const view = await getUser(deps.db, id);
    if (!view) throw new NotFoundError('user.not_found', 'the user does not exist');
    ctx.set('ETag', etag(result.nextExpectedRevision ?? view.revision));
    ctx.body = { data: present(view), position: setPosition(ctx, result.position) };
  };

  router.get(
    '/',
    readsUsers,
    validate({
      query: z.object({
        role: z.enum(ROLES).optional(),
        active: z.enum(['true', 'false']).transform((v) => v === 'true').optional(),
        limit: z.coerce.number().int().min(1).max(100).default(20),
        cursor: z.string().max(200).optional(),
      }),
    }),
    async (ctx) => {
      const { role, active, limit, cursor: after } = ctx.state.valid.query;
      const principal = ctx.state.principal!;
      const rows = await listUsers(deps.db, {
        limit,
        ...(role && { role }),
        ...(active !== undefined && { active }),
        ...(after && { after: cursor.decode(after) }),
        ...(principal.role === 'USER' && { onlyUserId: principal.userId }),
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
    validate({ params: z.object({ id: userId }), body: z.object({ role: z.enum(ROLES) }).strict() }),
    async (ctx) => {
      const { id } = ctx.state.valid.params;
      const result = await deps.users.changeRole(id, ctx.state.valid.body.role, actorOf(ctx), originOf(ctx), ifMatch(ctx));
      await answer(ctx, id, result);
    },
  );

  router.delete(
    '/:id',
    validate({ params: z.object({ id: userId }), query: z.object({ reason: z.string().max(500).optional() }) }),
    async (ctx) => {
      const { id } = ctx.state.valid.params;
      const result = await deps.users.deactivate(id, ctx.state.valid.query.reason, actorOf(ctx), originOf(ctx), ifMatch(ctx));
      await answer(ctx, id, result);
    },
  );

  router.patch('/:id/reactivate', validate({ params: z.object({ id: userId }) }), async (ctx) => {
    const { id } = ctx.state.valid.params;
    const result = await deps.users.reactivate(id, actorOf(ctx), originOf(ctx), ifMatch(ctx));
    await answer(ctx, id, result);
  });

  return router;
};
