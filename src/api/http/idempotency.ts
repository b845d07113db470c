import { type Clock } from '../../clock/index.js';
import { createHash, randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type Router from '@koa/router';
import type { Context, Middleware, Next } from 'koa';
import compose from 'koa-compose';
import type { Selectable } from 'kysely';
import { ConflictError, ValidationError } from '../../domain/shared/index.js';
import type { Db } from '../../db/index.js';
import { PUBLIC_ROUTES } from './access.js';
import type { ApiState } from './types.js';
import { errorMiddleware } from './errorMiddleware.js';
import type { IdempotencyKeysTable } from './idempotencyTable.js';

export type IdempotencyOptions = Readonly<{
  db: Db;
  /** The app's router: only POSTs that reach a route, and no public one, take part. */
  router: Router<ApiState>;
  clock: Clock;
  /** How long an answer is kept; older rows are reused and purged. */
  retentionMs: number;
  /** How long a holder owns a key without renewing; it renews every third of this while it runs. */
  leaseMs?: number;
  /** How long a request waits for another holding its key before 409 idempotency.in_progress. */
  waitMs?: number;
  /** Share of claims that also purge expired rows: 0 never, 1 always. */
  purgeSample?: number;
}>;

type Ctx = Context & { state: ApiState };
type Row = Selectable<IdempotencyKeysTable>;
type Id = Readonly<{ principalId: string; key: string }>;
type Answer = Readonly<{ status: number; headers: Record<string, string>; body: string | null }>;

const TABLE = 'api.idempotency_keys';
/** Visible ASCII, as Stripe's keys (UUIDs, mostly) are; two headers arrive joined by ", " and so are refused. */
const KEY = /^[\x21-\x7E]{1,255}$/;
const REPLAYED_HEADERS = ['ETag', 'X-Position', 'Location', 'Content-Type'];
/**
 * Which answers are kept, after Stripe: an answer is kept once the endpoint
 * has run, so that a retry gets it back instead of running again (2xx, and
 * refusals such as 404, 409 or 412). Not kept, the key released so that a
 * retry runs afresh: 5xx (the outcome is unknown, or transient like 503),
 * 429 (transient), and 400/401/403, which are refused before the command runs
 * (the route's validation, role checks): the caller may fix the body and
 * retry with the same key, as Stripe allows.
 */
const kept = (status: number) => status < 500 && ![400, 401, 403, 429].includes(status);

const canonical = (value: unknown): unknown => {
  if (Array.isArray(value)) return value.map(canonical);
  if (value === null || typeof value !== 'object') return value;
  const record = value as Record<string, unknown>;
  return Object.fromEntries(Object.keys(record).sort().map((k) => [k, canonical(record[k])]));
};

/** The same request is the same method, path, query and body, whatever the order of keys. */
export const fingerprint = (method: string, path: string, query: unknown, body: unknown): string =>
  createHash('sha256').update(JSON.stringify([method, path, canonical(query), canonical(body ?? null)])).digest('hex');

/** A route the router would run for this request, and whether the public list names it. */
const routeOf = (router: Router<ApiState>, ctx: Ctx): 'none' | 'public' | 'private' => {
  const matched = router.match(ctx.path, ctx.method);
  const layer = matched.route ? matched.pathAndMethod.findLast((l) => l.methods.length > 0) : undefined;
  if (!layer) return 'none';
  return PUBLIC_ROUTES[`${ctx.method} ${layer.path}`] ? 'public' : 'private';
};

/**
 * Takes the key: a new row, or one whose holder's lease lapsed (same request
 * only), or one past retention (any request). True when this request holds it.
 */
const claim = async (db: Db, id: Id, fingerprint: string, holder: string, now: Date, leaseMs: number, expiredBefore: Date) => {
  const lockedUntil = new Date(now.getTime() + leaseMs);
  const row = await db
    .insertInto(TABLE)
    .values({ principal_id: id.principalId, key: id.key, fingerprint, status: 'in_progress', holder, locked_until: lockedUntil, created_at: now })
    .onConflict((oc) =>
      oc
        .columns(['principal_id', 'key'])
        .doUpdateSet((eb) => ({
          fingerprint: eb.ref('excluded.fingerprint'),
          status: 'in_progress',
          holder: eb.ref('excluded.holder'),
          locked_until: eb.ref('excluded.locked_until'),
          created_at: eb.ref('excluded.created_at'),
          response_status: null,
          response_headers: null,
          response_body: null,
        }))
        .where((eb) =>
          eb.or([
            eb.and([
              eb(`${TABLE}.status`, '=', 'in_progress'),
              eb(`${TABLE}.locked_until`, '<', now),
              eb(`${TABLE}.fingerprint`, '=', fingerprint),
            ]),
            eb.and([
              eb(`${TABLE}.created_at`, '<', expiredBefore),
              eb.or([eb(`${TABLE}.status`, '=', 'done'), eb(`${TABLE}.locked_until`, '<', now)]),
            ]),
          ]),
        ),
    )
    .returning('holder')
    .executeTakeFirst();
  return row?.holder === holder;
};

const findKey = (db: Db, id: Id): Promise<Row | undefined> =>
  db.selectFrom(TABLE).selectAll().where('principal_id', '=', id.principalId).where('key', '=', id.key).executeTakeFirst();

/** The holder's own row: a holder whose lease was taken over matches nothing. */
const heldBy = (id: Id, holder: string) => ({ principal_id: id.principalId, key: id.key, holder });

const extendLease = (db: Db, id: Id, holder: string, until: Date) =>
  db.updateTable(TABLE).set({ locked_until: until }).where((eb) => eb.and({ ...heldBy(id, holder), status: 'in_progress' })).execute();

const storeAnswer = (db: Db, id: Id, holder: string, { status, headers, body }: Answer) =>
  db
    .updateTable(TABLE)
    .set({ status: 'done', locked_until: null, response_status: status, response_headers: JSON.stringify(headers), response_body: body })
    .where((eb) => eb.and(heldBy(id, holder)))
    .execute();

const release = (db: Db, id: Id, holder: string) =>
  db.deleteFrom(TABLE).where((eb) => eb.and(heldBy(id, holder))).execute();

/** At most 1,000 rows a time, so a sampled purge stays one short delete by the created_at index. */
export const purgeExpired = (db: Db, expiredBefore: Date, now: Date) =>
  db
    .deleteFrom(TABLE)
    .where((eb) =>
      eb(
        eb.refTuple('principal_id', 'key'),
        'in',
        eb
          .selectFrom(TABLE)
          .select(['principal_id', 'key'])
          .where('created_at', '<', expiredBefore)
          .where((w) => w.or([w('status', '=', 'done'), w('locked_until', '<', now)]))
          .limit(1000)
          .$asTuple('principal_id', 'key'),
      ),
    )
    .execute();

/** The answer as the client gets it; undefined when the body is not text or JSON (a stream, say). */
const answerOf = (ctx: Ctx): Answer | undefined => {
  const body: unknown = ctx.body;
  let text: string | null;
  if (body === undefined || body === null) text = null;
  else if (typeof body === 'string') text = body;
  else if (typeof body === 'object' && (Array.isArray(body) || [Object.prototype, null].includes(Object.getPrototypeOf(body)))) {
    // Koa sends an object as exactly this text; a secret shown once is kept as null, never in the table.
    const shownOnce = ctx.state.shownOnce ?? [];
    text = JSON.stringify(shownOnce.length === 0 ? body : { ...(body as object), ...Object.fromEntries(shownOnce.map((f) => [f, null])) });
  } else return undefined;
  const headers: Record<string, string> = {};
  for (const name of REPLAYED_HEADERS) {
    const value = ctx.response.get(name);
    if (typeof value === 'string' && value !== '') headers[name] = value;
  }
  return { status: ctx.status, headers, body: text };
};

const replay = (ctx: Ctx, row: Row) => {
  ctx.status = row.response_status!;
  // Content-Type first: Koa would guess one for a string body otherwise.
  for (const [name, value] of Object.entries(row.response_headers ?? {})) ctx.set(name, value);
  ctx.set('Idempotent-Replayed', 'true');
  if (row.response_body !== null) ctx.body = row.response_body;
};

/**
 * Stripe's Idempotency-Key on every POST that reaches a route, keyed by
 * principal and key: the first answer is kept (see `kept`) and replayed for the
 * same request with `Idempotent-Replayed: true`; another request under the key
 * is 409 idempotency.key_reused; one sent while the first runs waits up to
 * waitMs for its answer, then is 409 idempotency.in_progress. The key is taken
 * in PostgreSQL, so this holds across instances.
 *
 * Public routes ignore the header: they have no principal, and a shared,
 * anonymous key space would hand a stored login answer (its tokens) to anyone
 * who guessed the key.
 */
export const idempotency = (options: IdempotencyOptions): Middleware<ApiState> => {
  const { db, clock, retentionMs } = options;
  const leaseMs = options.leaseMs ?? 10_000;
  const waitMs = options.waitMs ?? 2_000;
  const purgeSample = options.purgeSample ?? 0.01;

  /** True when this request now holds the key; otherwise the stored answer to replay. */
  const acquire = async (ctx: Ctx, id: Id, print: string, holder: string): Promise<true | Row> => {
    const deadline = performance.now() + waitMs;
    for (let attempt = 0; ; attempt += 1) {
      const now = clock.now();
      const expiredBefore = new Date(now.getTime() - retentionMs);
      if (await claim(db, id, print, holder, now, leaseMs, expiredBefore)) {
        // A cheap purge on a sample of claims (no timer to start and stop); a failure is only logged.
        if (Math.random() < purgeSample) {
          await purgeExpired(db, expiredBefore, now).catch((err: Error) => ctx.state.logger.warn('idempotency purge failed', { err: err.message }));
        }
        return true;
      }
      // No row: released (after a 5xx) or purged since the claim, so claim again.
      const row = await findKey(db, id);
      if (row && row.fingerprint !== print) {
        throw new ConflictError('idempotency.key_reused', 'this Idempotency-Key was used for another request');
      }
      if (row?.status === 'done') return row;
      if (performance.now() >= deadline) {
        throw new ConflictError('idempotency.in_progress', 'a request with this Idempotency-Key is still running; retry later');
      }
      await sleep(Math.min(100, 10 * 2 ** attempt));
    }
  };

  /** Runs the route with the key held, renewing the lease, and keeps or releases its answer. */
  const execute = async (ctx: Ctx, next: Next, id: Id, holder: string) => {
    const renew = setInterval(() => {
      // A failed renewal only shortens the lease; the answer is still stored if the holder keeps it.
      extendLease(db, id, holder, new Date(clock.now().getTime() + leaseMs)).catch(() => undefined);
    }, leaseMs / 3);
    renew.unref();
    try {
      // Errors become their answer here, through the one error middleware, so the answer kept is the one sent.
      await errorMiddleware(ctx.state.logger)(ctx, next);
    } finally {
      clearInterval(renew);
    }
    const answer = kept(ctx.status) ? answerOf(ctx) : undefined;
    if (answer) await storeAnswer(db, id, holder, answer);
    else await release(db, id, holder);
  };

  return async (ctx, next) => {
    if (ctx.method !== 'POST' || ctx.headers['idempotency-key'] === undefined) return next();
    const principal = ctx.state.actor;
    if (!principal || routeOf(options.router, ctx) !== 'private') return next();
    const key = ctx.get('Idempotency-Key');
    if (!KEY.test(key)) {
      throw new ValidationError('idempotency.invalid_key', 'Idempotency-Key must be 1 to 255 visible ASCII characters');
    }
    const id = { principalId: principal.id, key };
    const holder = randomUUID();
    const print = fingerprint(ctx.method, ctx.path, ctx.query, (ctx.request as { body?: unknown }).body);
    const held = await acquire(ctx, id, print, holder);
    if (held === true) await execute(ctx, next, id, holder);
    else await authorizedReplay(options.router, ctx, held);
  };
};

/**
 * A stored answer goes back only to a caller the route would still let in:
 * everything the route runs before its handler (its role check, its
 * validation) runs again, and the replay stands in for the handler. A user
 * demoted since the first request gets the route's 403, not its old 201.
 */
const authorizedReplay = async (router: Router<ApiState>, ctx: Ctx, row: Row): Promise<void> => {
  const layers = router.match(ctx.path, ctx.method).pathAndMethod;
  const route = layers.findLast((l) => l.methods.length > 0)!;
  ctx.params = route.params(ctx.path, route.captures(ctx.path), {});
  const before = layers.flatMap((l) => (l === route ? l.stack.slice(0, -1) : l.stack));
  await compose(before as Middleware<ApiState>[])(ctx, async () => replay(ctx, row));
};
