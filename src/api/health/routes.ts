import type { ProjectionStatus } from '../../projections/runtime/index.js';
import { createRouter } from '../http/index.js';

export type HealthDeps = Readonly<{
  pingDatabase: () => Promise<void>;
  pingEventStore: () => Promise<void>;
  projectionStatus: () => Promise<readonly ProjectionStatus[]>;
  readyMaxLagMs: number;
}>;

type Check = { ok: boolean; error?: string };

const probe = async (fn: () => Promise<void>): Promise<Check> => {
  try {
    await fn();
    return { ok: true };
  } catch (err) {
    return { ok: false, error: err instanceof Error ? err.message : String(err) };
  }
};

export const healthRoutes = (deps: HealthDeps) => {
  const router = createRouter();

  /** Liveness: the process answers. It checks nothing else, so a database outage does not restart us. */
  router.get('/health', (ctx) => {
    ctx.body = { data: { status: 'ok' } };
  });

  /** Readiness: the database and event store answer, and no projection is stuck or far behind. */
  router.get('/ready', async (ctx) => {
    const [database, eventStore] = await Promise.all([probe(deps.pingDatabase), probe(deps.pingEventStore)]);
    const projections = await deps.projectionStatus().catch(() => undefined);
    const projectionsOk =
      projections !== undefined &&
      projections.every((p) => p.running && p.lastError === null && p.lagMs <= deps.readyMaxLagMs);
    const ready = database.ok && eventStore.ok && projectionsOk;
    ctx.status = ready ? 200 : 503;
    ctx.body = {
      data: {
        status: ready ? 'ready' : 'not_ready',
        checks: { database, eventStore, projections: { ok: projectionsOk, items: projections ?? [] } },
      },
    };
  });

  return router;
};
