import { z } from 'zod';
import type { TestClock } from '../../application/clock/index.js';
import { instant } from '../../application/shared/index.js';
import { ValidationError } from '../../domain/shared/index.js';
import { clientGone, requireRole, streamLines, wantsLines } from '../http/index.js';
import { validate } from '../http/index.js';
import { createRouter } from '../http/index.js';

/** Exactly one of: an instant to go to, or days or months on. How far one advance may go is CLOCK_MAX_ADVANCE_MONTHS's. */
const advanceBody = z.union([
  z.object({ to: instant }).strict(),
  z.object({ days: z.number().int().min(0).max(365_000) }).strict(),
  z.object({ months: z.number().int().min(0).max(12_000) }).strict(),
]);

/** Progress lines at most this often: a year of daily stops is not 365 lines. */
const PROGRESS_EVERY_MS = 250;

/**
 * The test clock, mounted only when CLOCK=simulated: in normal mode these
 * routes do not exist, and nothing can move the clock. A MANAGER reads it and
 * moves it forward; the answer summarises what happened on the way. With
 * `Accept: application/x-ndjson` the answer streams: a `progress` line as the
 * clock goes, then the `data` line. Advances run one at a time, each from
 * where the clock is when its turn comes; one whose client goes away stops
 * at the instant it is at.
 */
export const testClockRoutes = (clock: TestClock) => {
  const router = createRouter('/v1/test/clock');
  const manager = requireRole('MANAGER');

  router.get('/', manager, (ctx) => {
    ctx.body = { data: { now: clock.now().toISOString(), mode: 'simulated', maxAdvanceMonths: clock.maxSpanMonths } };
  });

  router.post('/advance', manager, validate({ body: advanceBody }), async (ctx) => {
    const advance = ctx.state.valid.body;
    // A kept answer is one JSON body; a stream would release its key while the advance still runs, and a retry would move the clock again.
    if (wantsLines(ctx) && ctx.get('Idempotency-Key')) {
      throw new ValidationError('clock.idempotency_key_with_stream', 'an Idempotency-Key keeps a JSON answer: send it without Accept: application/x-ndjson, or stream without the key');
    }
    clock.check(advance);
    const signal = clientGone(ctx);
    if (!wantsLines(ctx)) {
      ctx.body = { data: await clock.advance(advance, { signal }) };
      return;
    }
    streamLines(ctx, async (send) => {
      let sentAt = 0;
      const result = await clock.advance(advance, {
        signal,
        onProgress: (progress) => {
          if (performance.now() - sentAt < PROGRESS_EVERY_MS && progress.fraction < 1) return;
          sentAt = performance.now();
          send({ progress });
        },
      });
      return { data: result };
    });
  });

  return router;
};
