import type { Kysely } from 'kysely';
import { z } from 'zod';
import type { Database } from '../../db/index.js';
import { NotFoundError } from '../../domain/shared/index.js';
import { getJob, JOB_STATES, listJobs } from '../../jobs/index.js';
import { manages } from '../shared/index.js';
import { validate } from '../http/index.js';
import { createRouter } from '../http/index.js';

const listQuery = z.object({
  state: z.enum(JOB_STATES).optional(),
  queue: z
    .string()
    .regex(/^[a-z0-9][a-z0-9._-]{0,99}$/, 'a queue name: lowercase letters, digits, dots, dashes and underscores')
    .optional(),
  limit: z.coerce.number().int().min(1).max(100).default(50),
});
const params = z.object({ id: z.uuid() });

/**
 * The job view for operators (ADMIN and MANAGER): side effects queued in
 * pg-boss, in the states they know, newest first, with attempts, last error
 * and next run. Retrying a dead job is `billstream jobs retry`.
 */
export const jobRoutes = (deps: Readonly<{ db: Kysely<Database> }>) => {
  const router = createRouter('/v1/jobs');

  router.get('/', manages, validate({ query: listQuery }), async (ctx) => {
    ctx.body = { data: await listJobs(deps.db, ctx.state.valid.query) };
  });

  router.get('/:id', manages, validate({ params }), async (ctx) => {
    const job = await getJob(deps.db, ctx.state.valid.params.id);
    if (!job) throw new NotFoundError('job.not_found', 'there is no such job');
    ctx.body = { data: job };
  });

  return router;
};
