import { SYSTEM_ACTORS } from '../../domain/shared/index.js';
import type { Context, Middleware } from 'koa';
import type { Origin } from '../../application/shared/index.js';
import { AuthenticationError, NotReadyError, ValidationError, type Actor } from '../../domain/shared/index.js';
import { formatPosition, MAX_INT8, parsePosition, type Position } from '../../eventstore/index.js';
import type { ProjectionRunner } from '../../projections/runtime/index.js';
import type { ApiState } from '../http/index.js';

type Ctx = Context & { state: ApiState };

/** The authenticated caller; a route that needs one has it (access control ran first). */
export const actorOf = (ctx: Ctx): Actor => {
  const actor = ctx.state.actor;
  if (!actor) throw new AuthenticationError('auth.missing_token', 'this needs an access token');
  return actor;
};

export const originOf = (ctx: Ctx): Origin => ({
  actor: ctx.state.actor ? actorOf(ctx) : SYSTEM_ACTORS.anonymous,
  source: 'api',
  correlationId: ctx.state.requestId,
});

/**
 * `If-Match: "3"` → 3n: the revision the caller saw, turned into the expected
 * revision. `*` matches any revision (RFC 9110 §13.1.1), as no header does.
 */
export const ifMatch = (ctx: Ctx): bigint | undefined => {
  const header = ctx.get('If-Match').trim();
  if (!header || header === '*') return undefined;
  const match = /^"(\d{1,19})"$/.exec(header);
  if (!match || BigInt(match[1]!) > MAX_INT8) {
    throw new ValidationError('request.if_match_malformed', 'If-Match must be an ETag such as "3", or *');
  }
  return BigInt(match[1]!);
};

export const etag = (revision: bigint): string => `"${revision}"`;

/** Stamps a command's answer with where its events are, so the caller can read its own writes. */
export const setPosition = (ctx: Ctx, position: Position | undefined): string | null => {
  if (!position) return null;
  const wire = formatPosition(position);
  ctx.set('X-Position', wire);
  return wire;
};

/**
 * Read-your-writes for queries: with `X-Min-Position`, wait until whatever
 * the route reads (`reached`) has passed that position, or answer 503.
 */
export const untilPosition =
  (reached: (position: Position, waitMs: number) => Promise<boolean>, names: readonly string[], waitMs: number): Middleware<ApiState> =>
  async (ctx, next) => {
    const header = ctx.get('X-Min-Position');
    if (header && !(await reached(parsePosition(header), waitMs))) {
      throw new NotReadyError('projection.behind', `the read model has not reached ${header} within ${waitMs} ms; retry`, {
        projections: names,
      });
    }
    await next();
  };

/** X-Min-Position on a route that reads the read models `names`. */
export const minPosition = (projections: ProjectionRunner, names: readonly string[], waitMs: number): Middleware<ApiState> =>
  untilPosition((position, ms) => projections.waitFor(names, position, ms), names, waitMs);
