import type { Middleware } from 'koa';
import { AuthenticationError, ForbiddenError, type Actor, type Role } from '../../domain/shared/index.js';
import type { ApiState } from './types.js';

/** Who a token's subject is now, with the role they have now; 'inactive' once deactivated. */
export type ActorLookup = (userId: string) => Promise<Actor | 'inactive' | undefined>;

/** Checks an access token's signature and expiry (the auth feature's token service); throws AuthenticationError when it fails. */
export type VerifyAccessToken = (token: string) => Promise<Readonly<{ sub: string }>>;

/** RFC 7235: the scheme name is case-insensitive; RFC 6750's token68 follows one space. */
const BEARER = /^bearer +([A-Za-z0-9._~+/-]+=*)$/i;

/** Checks an API key (`bsk_…`): its secret, revocation and expiry; throws AuthenticationError when it fails. */
export type VerifyApiKey = (token: string) => Promise<Readonly<{ keyId: string; ownerUserId: string; scopes: readonly string[] }>>;

export type AuthenticateDeps = Readonly<{ verifyToken: VerifyAccessToken; verifyKey: VerifyApiKey; lookup: ActorLookup }>;

/**
 * Bearer access tokens and API keys. The token proves who calls; whether they
 * are still active, and with which role, is looked up on every request, so
 * deactivation and demotion take effect at once, whatever tokens are still in
 * flight. A key acts as itself (its id is the actor every event names), with
 * the role its maker has now, on the maker's behalf, within its scopes.
 */
export const authenticate =
  ({ verifyToken, verifyKey, lookup }: AuthenticateDeps): Middleware<ApiState> =>
  async (ctx, next) => {
    const match = BEARER.exec(ctx.get('Authorization').trim());
    if (!match) throw new AuthenticationError('auth.missing_token', 'send an access token or an API key: Authorization: Bearer <token>');
    const token = match[1]!;
    if (token.startsWith('bsk_')) {
      const key = await verifyKey(token);
      const maker = await lookup(key.ownerUserId);
      if (maker === 'inactive') throw new AuthenticationError('auth.user_inactive', "the API key's maker is deactivated");
      if (!maker) throw new AuthenticationError('auth.invalid_api_key', 'the API key is not valid');
      ctx.state.actor = { id: key.keyId, ...(maker.role !== undefined && { role: maker.role }), onBehalfOf: maker.id };
      ctx.state.scopes = key.scopes;
    } else {
      const claims = await verifyToken(token);
      const actor = await lookup(claims.sub);
      if (actor === 'inactive') throw new AuthenticationError('auth.user_inactive', 'this user is deactivated');
      if (!actor) throw new AuthenticationError('auth.invalid_token', 'the access token is not valid');
      ctx.state.actor = actor;
    }
    await next();
  };

/** The roles a route's check lets in, as the OpenAPI document reads them off it. */
export const ROLES_ALLOWED = Symbol('roles');

export const requireRole = (...roles: Role[]): Middleware<ApiState> =>
  Object.assign(
    async (ctx: Parameters<Middleware<ApiState>>[0], next: () => Promise<unknown>) => {
      const role = ctx.state.actor?.role;
      if (!role || !roles.includes(role)) {
        throw new ForbiddenError('auth.forbidden', `this needs one of: ${roles.join(', ')}`);
      }
      await next();
    },
    { [ROLES_ALLOWED]: roles },
  );
