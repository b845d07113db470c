import Router from '@koa/router';
import { z } from 'zod';
import type { Sessions, Session } from '../../accounts/index.js';
import type { createRegistration } from '../../accounts/index.js';
import { originOf, setPosition } from '../commands.js';
import { validate } from '../middleware/validate.js';
import type { ApiState } from '../types.js';

export type AuthRoutesDeps = Readonly<{ register: ReturnType<typeof createRegistration>; sessions: Sessions }>;

const email = z.string().trim().toLowerCase().email().max(254);
const password = z.string().min(10, 'at least 10 characters').max(256);

const sessionBody = (s: Session) => ({
  data: {
    tokenType: 'Bearer',
    accessToken: s.accessToken,
    expiresAt: new Date(s.accessClaims.exp * 1000).toISOString(),
    refreshToken: s.refreshToken,
    refreshExpiresAt: s.refreshExpiresAt.toISOString(),
    user: s.user,
  },
});

export const authRoutes = (deps: AuthRoutesDeps): Router<ApiState> => {
  const router = new Router<ApiState>({ prefix: '/v1/auth' });

  router.post(
    '/register',
    validate({ body: z.object({ email, password, displayName: z.string().trim().min(1).max(200) }).strict() }),
    async (ctx) => {
      const { email: address, password: secret, displayName } = ctx.state.valid.body;
      const { userId, result } = await deps.register({ email: address, password: secret, displayName, role: 'USER' }, originOf(ctx));
      const position = setPosition(ctx, result.position);
      ctx.status = 201;
      ctx.body = { data: { userId, email: address, displayName, role: 'USER', active: true }, position };
    },
  );

  router.post('/login', validate({ body: z.object({ email, password: z.string().min(1).max(256) }).strict() }), async (ctx) => {
    ctx.body = sessionBody(await deps.sessions.login(ctx.state.valid.body.email, ctx.state.valid.body.password));
  });

  const refreshBody = z.object({ refreshToken: z.string().min(20).max(200) }).strict();

  router.post('/refresh', validate({ body: refreshBody }), async (ctx) => {
    ctx.body = sessionBody(await deps.sessions.refresh(ctx.state.valid.body.refreshToken));
  });

  router.post('/logout', validate({ body: refreshBody }), async (ctx) => {
    await deps.sessions.logout(ctx.state.valid.body.refreshToken);
    ctx.status = 204;
  });

  return router;
};
