import { z } from 'zod';
import type { TestClock } from '../../application/clock/index.js';
import { instant } from '../../application/shared/index.js';
import { requireRole } from '../http/index.js';
import { validate } from '../http/index.js';
import { createRouter } from '../http/index.js';

/** Exactly one of: an instant to go to, or days or months on (up to 1,000 years of either). */
const advanceBody = z.union([
  z.object({ to: instant }).strict(),
  z.object({ days: z.number().int().min(0).max(365_000) }).strict(),
  z.object({ months: z.number().int().min(0).max(12_000) }).strict(),
]);

/**
 * The test clock, mounted only when CLOCK=simulated: in normal mode these
 * routes do not exist, and nothing can move the clock. A MANAGER reads it and
 * moves it forward; the answer says what happened on the way.
 */
export const testClockRoutes = (clock: TestClock) => {
  const router = createRouter('/v1/test/clock');
  const manager = requireRole('MANAGER');

  router.get('/', manager, (ctx) => {
    ctx.body = { data: { now: clock.now().toISOString(), mode: 'simulated' } };
  });

  router.post('/advance', manager, validate({ body: advanceBody }), async (ctx) => {
    ctx.body = { data: await clock.advance(ctx.state.valid.body) };
  });

  return router;
};
