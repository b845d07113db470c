import type { Middleware } from 'koa';
import { AuthenticationError, ForbiddenError, type Actor, type Role } from '../../domain/shared/index.js';
import type { ApiState } from './types.js';

/** Who a token's subject is now, with the role they have now; 'inactive' once deactivated. */
export type ActorLookup = (userId: string) => Promise<Actor | 'inactive' | undefined>;

/** Checks an access token's signature and expiry (the auth feature's token service); throws AuthenticationError when it fails. */
export type VerifyAccessToken = (token: string) => Promise<Readonly<{ sub: string }>>;

/** RFC 7235: the scheme name is case-insensitive; RFC 6750's token68 follows one space. */
const BEARER = /^bearer +([A-Za-z0-9._~+/-]+=*)$/i;

/**
 * Bearer access tokens. The token proves who calls; whether they are still
 * active, and with which role, is looked up on every request (from the user's
 * stream, which cannot lag), so deactivation and demotion take effect at once,
 * whatever tokens are still in flight.
 */
export const authenticate =
  (verify: VerifyAccessToken, lookup: ActorLookup): Middleware<ApiState> =>
  async (ctx, next) => {
    const match = BEARER.exec(ctx.get('Authorization').trim());
    if (!match) throw new AuthenticationError('auth.missing_token', 'send an access token: Authorization: Bearer <token>');
    const claims = await verify(match[1]!);
    const actor = await lookup(claims.sub);
    if (actor === 'inactive') throw new AuthenticationError('auth.user_inactive', 'this user is deactivated');
    if (!actor) throw new AuthenticationError('auth.invalid_token', 'the access token is not valid');
    ctx.state.actor = actor;
    await next();
  };

export const requireRole =
  (...roles: Role[]): Middleware<ApiState> =>
  async (ctx, next) => {
    const role = ctx.state.actor?.role;
    if (!role || !roles.includes(role)) {
      throw new ForbiddenError('auth.forbidden', `this needs one of: ${roles.join(', ')}`);
    }
    await next();
  };
