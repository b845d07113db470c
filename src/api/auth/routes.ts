import { z } from 'zod';
import { displayText, emailText, safeText } from '../../domain/shared/index.js';
import { type Sessions, type Session } from '../../application/auth/index.js';
import { type createRegistration } from '../../application/auth/index.js';
import { originOf, setPosition } from '../shared/index.js';
import { validate } from '../http/index.js';
import { createRouter } from '../http/index.js';

export type AuthRoutesDeps = Readonly<{ register: ReturnType<typeof createRegistration>; sessions: Sessions }>;

const password = safeText.min(10, 'at least 10 characters').max(256);

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

export const authRoutes = (deps: AuthRoutesDeps) => {
  const router = createRouter('/v1/auth');

  router.post(
    '/register',
    validate({ body: z.object({ email: emailText, password, displayName: displayText(200) }).strict() }),
    async (ctx) => {
      const { email: address, password: secret, displayName } = ctx.state.valid.body;
      const { userId, result } = await deps.register({ email: address, password: secret, displayName, role: 'USER' }, originOf(ctx));
      const position = setPosition(ctx, result.position);
      ctx.status = 201;
      ctx.body = { data: { userId, email: address, displayName, role: 'USER', active: true }, position };
    },
  );

  router.post('/login', validate({ body: z.object({ email: emailText, password: safeText.min(1).max(256) }).strict() }), async (ctx) => {
    ctx.body = sessionBody(await deps.sessions.login(ctx.state.valid.body.email, ctx.state.valid.body.password));
  });

  const refreshBody = z.object({ refreshToken: safeText.min(20).max(200) }).strict();

  router.post('/refresh', validate({ body: refreshBody }), async (ctx) => {
    ctx.body = sessionBody(await deps.sessions.refresh(ctx.state.valid.body.refreshToken));
  });

  router.post('/logout', validate({ body: refreshBody }), async (ctx) => {
    await deps.sessions.logout(ctx.state.valid.body.refreshToken);
    ctx.status = 204;
  });

  return router;
};
