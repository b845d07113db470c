import type Router from '@koa/router';
import type { Middleware } from 'koa';
import { AuthenticationError, ForbiddenError } from '../../domain/shared/index.js';
import type { ApiState } from './types.js';

export type RoutePolicy = Readonly<{ public: true; limit: 'perIp' | 'none' }>;

/**
 * The only routes that answer without a principal, keyed by method and route
 * pattern (never by a raw path). Everything else, matched or not, needs a
 * valid access token: deny by default.
 */
export const PUBLIC_ROUTES: Readonly<Record<string, RoutePolicy>> = {
  'GET /health': { public: true, limit: 'none' },
  'GET /ready': { public: true, limit: 'none' },
  'GET /metrics': { public: true, limit: 'none' },
  'POST /v1/auth/register': { public: true, limit: 'perIp' },
  'POST /v1/auth/login': { public: true, limit: 'perIp' },
  'POST /v1/auth/refresh': { public: true, limit: 'perIp' },
  'POST /v1/auth/logout': { public: true, limit: 'perIp' },
  // The API's description and its reference page: what any integrator reads before having a credential.
  'GET /openapi.json': { public: true, limit: 'none' },
  'GET /docs': { public: true, limit: 'none' },
  'GET /docs/init.js': { public: true, limit: 'none' },
  'GET /docs/swagger-ui.css': { public: true, limit: 'none' },
  'GET /docs/swagger-ui-bundle.js': { public: true, limit: 'none' },
};

/** The scope an API key needs for a route (`customers:read`), by its method and pattern; undefined: no key may call it. */
export type ScopeOf = (method: string, routePath: string) => string | undefined;

export type AccessDeps = Readonly<{
  router: Router<ApiState>;
  scopeOf: ScopeOf;
  /** Sets ctx.state.actor or throws AuthenticationError. */
  authenticate: Middleware<ApiState>;
  perIp: Middleware<ApiState>;
  /** Counts a client address's failed authentications; past its limit the answer is 429, not 401. */
  failuresPerIp: Middleware<ApiState>;
  perPrincipal: Middleware<ApiState>;
}>;

/**
 * The policy of the route a request reaches, as the router itself matches it.
 * A request that matches a public route's path but none of its methods stays
 * public too, so that it gets its 405 rather than a 401.
 */
const policyOf = (router: Router<ApiState>, path: string, method: string): RoutePolicy | undefined => {
  const verb = method === 'HEAD' ? 'GET' : method;
  const matched = router.match(path, method);
  if (matched.route) {
    const layer = matched.pathAndMethod.findLast((l) => l.methods.length > 0);
    return layer && PUBLIC_ROUTES[`${verb} ${layer.path}`];
  }
  const publicPath = matched.path.some((layer) => layer.methods.some((m) => PUBLIC_ROUTES[`${m} ${layer.path}`]));
  return publicPath ? { public: true, limit: 'none' } : undefined;
};

/**
 * Runs before the body is parsed and before any route: public routes get their
 * per-address limit, every other request is authenticated and then limited
 * per principal. Limits attach to the matched route, so no spelling of a path
 * escapes them.
 */
export const accessControl = (deps: AccessDeps): Middleware<ApiState> => {
  const noop = async () => undefined;
  return async (ctx, next) => {
    const policy = policyOf(deps.router, ctx.path, ctx.method);
    if (policy) {
      if (policy.limit === 'perIp') await deps.perIp(ctx, noop);
      return next();
    }
    try {
      await deps.authenticate(ctx, noop);
    } catch (err) {
      // Guessing at tokens or keys costs the guesser's address, as bad logins do.
      if (err instanceof AuthenticationError) await deps.failuresPerIp(ctx, noop);
      throw err;
    }
    await deps.perPrincipal(ctx, noop);
    if (ctx.state.scopes) checkScope(deps, ctx.state.scopes, ctx.path, ctx.method);
    return next();
  };
};

/**
 * A key reaches a route only with its scope: `write` covers `read`. Deny by
 * default: a route no scope names (users, sessions, keys themselves) is
 * closed to every key. A path no route matches goes on to its 404 or 405.
 */
const checkScope = (deps: AccessDeps, scopes: readonly string[], path: string, method: string): void => {
  const verb = method === 'HEAD' ? 'GET' : method;
  const layer = deps.router.match(path, method).pathAndMethod.findLast((l) => l.methods.length > 0);
  if (!layer) return;
  const needed = deps.scopeOf(verb, String(layer.path));
  if (!needed) throw new ForbiddenError('auth.key_not_allowed', `API keys cannot call ${verb} ${String(layer.path)}: sign in as a user`);
  const [resource] = needed.split(':');
  if (scopes.includes(needed) || scopes.includes(`${resource}:write`)) return;
  throw new ForbiddenError('auth.scope_missing', `this API key needs the scope ${needed}`, { scope: needed });
};
