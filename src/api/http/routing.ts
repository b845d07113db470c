import Router from '@koa/router';
import type { ApiState } from './types.js';

/**
 * Every router of the API is made here, so every one matches paths
 * case-sensitively: `/V1/USERS` is not `/v1/users`, and no middleware can be
 * skipped by spelling a path differently from the route it reaches.
 */
export const createRouter = (prefix?: string): Router<ApiState> =>
  new Router<ApiState>({ sensitive: true, ...(prefix !== undefined && { prefix }) });

export type RouteInfo = Readonly<{ method: string; path: string }>;

/** The routes a router serves, from its own stack: what access tests walk. */
export const routesOf = (router: Router<ApiState>): RouteInfo[] =>
  router.stack.flatMap((layer) =>
    layer.methods.filter((m) => m !== 'HEAD').map((method) => ({ method, path: layer.path as string })),
  );
