import { randomUUID } from 'node:crypto';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { bodyParser } from '@koa/bodyparser';
import Koa from 'koa';
import type { KyselyPlugin } from 'kysely';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { PUBLIC_ROUTES } from '../../src/api/http/access.js';
import { RateLimitedError } from '../../src/domain/shared/index.js';
import { errorMiddleware } from '../../src/api/http/errorMiddleware.js';
import { fingerprint, idempotency, type IdempotencyOptions } from '../../src/api/http/idempotency.js';
import { requestContext } from '../../src/api/http/requestContext.js';
import { safeInput } from '../../src/api/http/requestChecks.js';
import { validate } from '../../src/api/http/validate.js';
import { createRouter } from '../../src/api/http/routing.js';
import type { ApiState } from '../../src/api/http/types.js';
import { createKysely, createPool } from '../../src/db/pool.js';
import { ConflictError, NotReadyError } from '../../src/domain/shared/index.js';
import { createSilentLogger } from '../../src/logger/index.js';
import type { System } from '../../src/root/system.js';
import { createTestDatabase, type TestDatabase } from '../support/db.js';
import { http, startTestSystem } from './support.js';

const T0 = new Date('2026-11-22T12:00:00Z');
const HOUR = 3_600_000;
const clock = { at: T0, now: () => clock.at };
const deferred = () => {
  let resolve!: () => void;
  return { promise: new Promise<void>((r) => (resolve = r)), resolve };
};

// What the test routes saw: executions counted, each run held at the next of `gates`, and errors it throws, one per run.
let executions = 0;
let entered = deferred();
let gates: ReturnType<typeof deferred>[] = [];
let failures: Error[] = [];
/** Times an instance read a key another request still held: a spy on the real queries, to know that requests are waiting. */
let sawInProgress = 0;
const spy: KyselyPlugin = {
  transformQuery: (args) => args.node,
  transformResult: async ({ result }) => {
    sawInProgress += result.rows.filter((row) => (row as { status?: unknown }).status === 'in_progress').length;
    return result;
  },
};
/** Each test's own principal, so no test meets another's keys. */
let me = '';

/** A POST route that counts its runs, can be held open, and answers with what the middleware must replay. */
const testRouter = () => {
  const router = createRouter();
  router.post('/v1/things', validate({ body: z.object({ name: z.string(), conflict: z.boolean().optional() }) }), async (ctx) => {
    const run = (executions += 1);
    entered.resolve();
    await gates.shift()?.promise;
    const failure = failures.shift();
    if (failure) throw failure;
    if (ctx.state.valid.body.conflict) throw new ConflictError('thing.taken', 'taken');
    ctx.status = 201;
    ctx.set({ ETag: '"0"', 'X-Position': `0-${run}`, Location: `/v1/things/${run}` });
    ctx.body = { data: { id: `thing-${run}`, name: ctx.state.valid.body.name } };
  });
  const counted = async (ctx: Koa.Context) => void ((executions += 1), (ctx.body = { n: executions }));
  router.post('/v1/others', counted);
  router.patch('/v1/things/:id', counted);
  router.post('/v1/auth/login', counted);
  return router;
};

let database: TestDatabase;
let closers: (() => Promise<void>)[] = [];

/** One API instance: its own pool on the shared database, served over HTTP; the caller is named by X-Test-User. */
const startInstance = async (options: Partial<IdempotencyOptions> = {}) => {
  const db = createKysely(createPool({ connectionString: database.url, max: 5 })).withPlugin(spy);
  const router = testRouter();
  const logger = createSilentLogger();
  const app = new Koa<ApiState>();
  app.silent = true;
  app.use(errorMiddleware(logger)).use(requestContext(logger));
  app.use(async (ctx, next) => {
    const user = ctx.get('X-Test-User');
    if (user) ctx.state.actor = { id: user, role: 'ADMIN' };
    await next();
  });
  app.use(bodyParser({ enableTypes: ['json'] })).use(safeInput);
  app.use(idempotency({ db, router, clock, retentionMs: 24 * HOUR, purgeSample: 0, ...options }));
  app.use(router.routes()).use(router.allowedMethods());
  const server = await new Promise<Server>((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  closers.push(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
    await db.destroy();
  });
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
};

const send = async (base: string, path: string, body: unknown, o: { key?: string; user?: string; method?: string; headers?: [string, string][] } = {}) => {
  const headers = new Headers(o.headers);
  headers.set('content-type', 'application/json');
  if (o.key !== undefined) headers.set('Idempotency-Key', o.key);
  if (o.user !== undefined) headers.set('X-Test-User', o.user);
  const res = await fetch(`${base}${path}`, { method: o.method ?? 'POST', headers, body: JSON.stringify(body) });
  const text = await res.text();
  const pick = (name: string) => res.headers.get(name);
  return { status: res.status, text, json: JSON.parse(text), replayed: pick('idempotent-replayed'), kept: ['etag', 'x-position', 'location', 'content-type'].map(pick) };
};
const thing = (base: string, key: string | undefined, body: object = { name: 'a' }, user = me) => send(base, '/v1/things', body, { ...(key !== undefined && { key }), user });
const rowsOf = (user: string) => database.db.selectFrom('api.idempotency_keys').selectAll().where('principal_id', '=', user).execute();
/** A row as another instance would have left it. */
const insertRow = (user: string, key: string, body: object, row: { status: 'in_progress' | 'done'; createdAt: Date; lockedUntil: Date | null }) =>
  database.db
    .insertInto('api.idempotency_keys')
    .values({
      principal_id: user, key, fingerprint: fingerprint('POST', '/v1/things', {}, body), status: row.status, holder: randomUUID(),
      locked_until: row.lockedUntil, created_at: row.createdAt,
      ...(row.status === 'done' && { response_status: 201, response_headers: '{}', response_body: '{"old":true}' }),
    })
    .execute();

beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(async () => {
  await database?.close();
});
beforeEach(() => {
  [executions, entered, gates, failures, clock.at, me, sawInProgress] = [0, deferred(), [], [], T0, `usr_${randomUUID()}`, 0];
});
afterEach(async () => {
  await Promise.all(closers.map((close) => close()));
  closers = [];
});

describe('Idempotency-Key on a counting route, two instances on one database', () => {
  it('replays the first answer (status, body, the headers that matter) for the same key and body, marked as a replay, from either instance', async () => {
    const [a, b] = [await startInstance(), await startInstance()];
    const first = await thing(a, 'k1', { name: 'a', conflict: false });
    expect(first).toMatchObject({ status: 201, replayed: null, kept: ['"0"', '0-1', '/v1/things/1', 'application/json; charset=utf-8'] });
    // Keys in another order are the same body.
    for (const again of [await thing(b, 'k1', { conflict: false, name: 'a' }), await thing(a, 'k1', { name: 'a', conflict: false })]) {
      expect({ ...again, replayed: undefined }).toEqual({ ...first, replayed: undefined });
      expect(again.replayed).toBe('true');
    }
    // A refusal the route made once it ran is an answer too.
    const refused = await thing(a, 'k2', { name: 'a', conflict: true });
    expect(refused.status).toBe(409);
    expect(await thing(b, 'k2', { name: 'a', conflict: true })).toEqual({ ...refused, replayed: 'true' });
    expect(executions).toBe(2);
  });

  it('answers 409 idempotency.key_reused for the key with another body or another route, running nothing', async () => {
    const a = await startInstance();
    await thing(a, 'k1', { name: 'a' });
    const otherBody = await thing(a, 'k1', { name: 'b' });
    const otherRoute = await send(a, '/v1/others', { name: 'a' }, { key: 'k1', user: me });
    for (const res of [otherBody, otherRoute]) expect([res.status, res.json.error.reason]).toEqual([409, 'idempotency.key_reused']);
    expect(executions).toBe(1);
  });

  it('runs once under 10 concurrent requests with one key across both instances: the others wait and get the same answer', async () => {
    const [a, b] = [await startInstance({ waitMs: 60_000 }), await startInstance({ waitMs: 60_000 })];
    const gate = deferred();
    gates = [gate];
    const all = Promise.all(Array.from({ length: 10 }, (_, i) => thing(i % 2 ? a : b, 'together')));
    await entered.promise;
    await expect.poll(() => sawInProgress, { timeout: 30_000 }).toBeGreaterThan(0);
    gate.resolve();
    const answers = await all;
    expect(executions).toBe(1);
    expect(new Set(answers.map((r) => `${r.status} ${r.text}`))).toEqual(new Set([`201 ${answers[0]!.text}`]));
    expect(answers.filter((r) => r.replayed === 'true')).toHaveLength(9);
  });

  it('answers 409 idempotency.in_progress to requests that will not wait, while the first still runs', async () => {
    const [a, b] = [await startInstance({ waitMs: 0 }), await startInstance({ waitMs: 0 })];
    const gate = deferred();
    gates = [gate];
    let settled = 0;
    const all = Promise.all(Array.from({ length: 10 }, (_, i) => thing(i % 2 ? a : b, 'together').finally(() => (settled += 1))));
    await entered.promise;
    await expect.poll(() => settled, { timeout: 30_000 }).toBe(9);
    gate.resolve();
    const answers = await all;
    expect(executions).toBe(1);
    expect(answers.filter((r) => r.status === 201)).toHaveLength(1);
    expect(answers.filter((r) => r.status === 409 && r.json.error.reason === 'idempotency.in_progress')).toHaveLength(9);
  });

  it('keeps each principal’s keys apart', async () => {
    const a = await startInstance();
    const [x, y] = [await thing(a, 'shared', { name: 'a' }, 'usr_x'), await thing(a, 'shared', { name: 'a' }, 'usr_y')];
    expect([x.status, y.status, x.replayed, y.replayed]).toEqual([201, 201, null, null]);
    expect(x.json.data.id).not.toBe(y.json.data.id);
    expect((await thing(a, 'shared', { name: 'a' }, 'usr_y')).json).toEqual(y.json);
    expect(executions).toBe(2);
  });

  it('keeps no 5xx, 503 or 429 (a retry runs again), nor a validation failure (the caller may fix the body)', async () => {
    const a = await startInstance();
    failures = [new Error('boom'), new NotReadyError('x.behind', 'behind'), new RateLimitedError(1)];
    expect([(await thing(a, 'k')).status, (await thing(a, 'k')).status, (await thing(a, 'k')).status]).toEqual([500, 503, 429]);
    expect((await thing(a, 'k')).status).toBe(201);
    expect(executions).toBe(4);
    expect((await thing(a, 'k')).replayed).toBe('true');

    expect((await thing(a, 'v', { name: 7 })).status).toBe(400);
    expect(await thing(a, 'v', { name: 'fixed' })).toMatchObject({ status: 201, replayed: null });
  });

  it('lets a request take over a key whose holder’s lease lapsed (a dead process), but not a live one', async () => {
    const a = await startInstance({ waitMs: 0 });
    const lapsed = new Date(T0.getTime() - 1);
    await insertRow('usr_l', 'dead', { name: 'a' }, { status: 'in_progress', createdAt: new Date(T0.getTime() - 30_000), lockedUntil: lapsed });
    await insertRow('usr_l', 'live', { name: 'a' }, { status: 'in_progress', createdAt: T0, lockedUntil: new Date(T0.getTime() + 5_000) });
    await insertRow('usr_l', 'dead-other', { name: 'b' }, { status: 'in_progress', createdAt: T0, lockedUntil: lapsed });
    expect(await thing(a, 'dead', { name: 'a' }, 'usr_l')).toMatchObject({ status: 201, replayed: null });
    expect((await thing(a, 'live', { name: 'a' }, 'usr_l')).json.error.reason).toBe('idempotency.in_progress');
    expect((await thing(a, 'dead-other', { name: 'a' }, 'usr_l')).json.error.reason).toBe('idempotency.key_reused');
    expect(executions).toBe(1);
    expect((await rowsOf('usr_l')).find((r) => r.key === 'dead')).toMatchObject({ status: 'done', response_status: 201 });
  });

  it('renews the lease while the route runs, so no one takes over a live holder; a holder taken over stores nothing', async () => {
    const [a, b] = [await startInstance({ leaseMs: 300, waitMs: 0 }), await startInstance({ leaseMs: 300, waitMs: 0 })];
    const gate = deferred();
    gates = [gate];
    const slow = thing(a, 'slow');
    await entered.promise;
    // By the clock, the first lease has lapsed: only its renewal keeps the key.
    clock.at = new Date(T0.getTime() + 60_000);
    await expect.poll(async () => (await rowsOf(me))[0]?.locked_until?.getTime(), { timeout: 30_000 }).toBe(clock.at.getTime() + 300);
    expect((await thing(b, 'slow')).json.error.reason).toBe('idempotency.in_progress');
    gate.resolve();
    expect((await slow).status).toBe(201);

    // A holder that stalls past its lease (no renewal for a minute) is taken over; its late answer is not kept.
    const [c, d] = [await startInstance({ leaseMs: 60_000 }), await startInstance({ leaseMs: 60_000 })];
    const [stalled, taker] = (gates = [deferred(), deferred()]);
    const late = thing(c, 'stall');
    await expect.poll(() => executions).toBe(2);
    clock.at = new Date(clock.at.getTime() + 61_000);
    const takeover = thing(d, 'stall');
    await expect.poll(() => executions).toBe(3);
    taker!.resolve();
    const kept = await takeover;
    stalled!.resolve();
    expect((await late).json).not.toEqual(kept.json);
    expect((await thing(c, 'stall')).json).toEqual(kept.json);
  });

  it('replays for the retention and no longer, and purges expired rows on a sampled claim', async () => {
    const a = await startInstance({ purgeSample: 1 });
    await thing(a, 'r', { name: 'a' }, 'usr_r');
    clock.at = new Date(T0.getTime() + 24 * HOUR - 1);
    expect((await thing(a, 'r', { name: 'a' }, 'usr_r')).replayed).toBe('true');
    clock.at = new Date(T0.getTime() + 24 * HOUR + 1);
    // Expired, the key is free for any request.
    expect(await thing(a, 'r', { name: 'other' }, 'usr_r')).toMatchObject({ status: 201, replayed: null });
    expect(executions).toBe(2);

    const old = new Date(clock.at.getTime() - 25 * HOUR);
    await insertRow('usr_p', 'old', { name: 'a' }, { status: 'done', createdAt: old, lockedUntil: null });
    await insertRow('usr_p', 'old-dead', { name: 'a' }, { status: 'in_progress', createdAt: old, lockedUntil: old });
    await insertRow('usr_p', 'recent', { name: 'a' }, { status: 'done', createdAt: new Date(clock.at.getTime() - HOUR), lockedUntil: null });
    await thing(a, 'new', { name: 'a' }, 'usr_q');
    expect((await rowsOf('usr_p')).map((r) => r.key)).toEqual(['recent']);
  });

  it('refuses a malformed key with 400 idempotency.invalid_key; accepts 255 visible characters', async () => {
    const a = await startInstance();
    for (const key of ['', 'x'.repeat(256), 'has space', 'tab\there', 'clé']) {
      const res = await thing(a, key);
      expect([res.status, res.json.error.reason], JSON.stringify(key)).toEqual([400, 'idempotency.invalid_key']);
    }
    const twice = await send(a, '/v1/things', { name: 'a' }, { user: me, headers: [['Idempotency-Key', 'a'], ['Idempotency-Key', 'b']] });
    expect(twice.json.error.reason).toBe('idempotency.invalid_key');
    expect(executions).toBe(0);
    expect((await thing(a, 'x'.repeat(255))).status).toBe(201);
  });

  it('ignores the header on public routes (even with a principal), on other methods and where no route matches', async () => {
    const a = await startInstance();
    for (const key of ['same', 'same', 'bad key']) {
      expect(await send(a, '/v1/auth/login', {}, { key, user: me })).toMatchObject({ status: 200, replayed: null });
      expect(await send(a, '/v1/things/1', {}, { key, user: me, method: 'PATCH' })).toMatchObject({ status: 200, replayed: null });
    }
    expect(executions).toBe(6);
    expect((await send(a, '/v1/nowhere', {}, { key: 'bad key', user: me })).status).toBe(404);
    expect(await rowsOf(me)).toEqual([]);
  });
});

describe('Idempotency-Key through the real system, two instances on one database', () => {
  let systems: System[] = [];
  let admin: string;
  const basic = { name: 'Basic', pricingModel: 'flat_rate', amount: 1000, currency: 'usd', interval: 'month', intervalCount: 1, trialDays: 0 };
  const createPlan = (s: System, key: string | undefined, body: object = basic, token = admin) =>
    http(s).call('POST', '/v1/plans', { token, body, ...(key !== undefined && { headers: { 'Idempotency-Key': key } }) });

  beforeAll(async () => {
    systems = [await startTestSystem(database), await startTestSystem(database)];
    admin = (await http(systems[0]!).userWithRole('ADMIN', 'idem-admin@example.com')).token;
  });
  afterAll(async () => {
    for (const s of systems) await s.stop();
  });

  it('covers every non-public POST route the router holds, with no change to any route', async () => {
    const posts = systems[0]!.routes.filter((r) => r.method === 'POST');
    const guarded = posts.filter((r) => !PUBLIC_ROUTES[`POST ${r.path}`]);
    expect(guarded.map((r) => r.path)).toContain('/v1/plans');
    for (const { path } of posts) {
      const concrete = path.replace(/:\w+/g, 'x');
      const res = await http(systems[0]!).call('POST', concrete, { token: admin, body: {}, headers: { 'Idempotency-Key': 'bad key' } });
      if (PUBLIC_ROUTES[`POST ${path}`]) expect(res.body?.error?.reason, path).not.toBe('idempotency.invalid_key');
      else expect([res.status, res.body.error.reason], path).toEqual([400, 'idempotency.invalid_key']);
    }
  });

  it('creates a plan once per key: replayed from the other instance, 409 for another body, another admin’s key apart', async () => {
    const [a, b] = systems as [System, System];
    const unkeyed = [await createPlan(a, undefined), await createPlan(a, undefined)];
    expect(unkeyed[0]!.body.data.planId).not.toBe(unkeyed[1]!.body.data.planId);

    const first = await createPlan(a, 'plan-1');
    expect(first.status).toBe(201);
    const again = await createPlan(b, 'plan-1');
    expect([again.status, again.body, again.headers.get('idempotent-replayed')]).toEqual([201, first.body, 'true']);
    for (const name of ['etag', 'x-position', 'content-type']) expect(again.headers.get(name), name).toBe(first.headers.get(name));

    const reused = await createPlan(b, 'plan-1', { ...basic, name: 'Pro' });
    expect([reused.status, reused.body.error.reason]).toEqual([409, 'idempotency.key_reused']);
    const other = (await http(a).userWithRole('ADMIN', 'idem-other@example.com')).token;
    const theirs = await createPlan(b, 'plan-1', basic, other);
    expect(theirs.status).toBe(201);
    expect(theirs.body.data.planId).not.toBe(first.body.data.planId);
  });

  it('replays only to a caller the route still lets in: an ADMIN demoted to USER since gets 403, not the stored 201', async () => {
    const [a, b] = systems as [System, System];
    const manager = (await http(a).userWithRole('MANAGER', 'idem-manager@example.com')).token;
    const demotable = await http(a).userWithRole('ADMIN', 'idem-demoted@example.com');
    const first = await createPlan(a, 'plan-then-demoted', basic, demotable.token);
    expect(first.status).toBe(201);
    expect((await createPlan(b, 'plan-then-demoted', basic, demotable.token)).headers.get('idempotent-replayed')).toBe('true');
    const demoted = await http(a).call('PATCH', `/v1/users/${demotable.userId}/role`, { token: manager, body: { role: 'USER' } });
    expect(demoted.status).toBe(200);
    for (const s of [a, b]) {
      const replayed = await createPlan(s, 'plan-then-demoted', basic, demotable.token);
      expect([replayed.status, replayed.body.error?.reason, replayed.headers.get('idempotent-replayed')]).toEqual([403, 'auth.forbidden', null]);
    }
  });

  it('creates one plan under 10 concurrent requests with one key across both instances', async () => {
    const answers = await Promise.all(Array.from({ length: 10 }, (_, i) => createPlan(systems[i % 2]!, 'plan-burst')));
    for (const res of answers.filter((r) => r.status !== 201)) expect([res.status, res.body.error.reason]).toEqual([409, 'idempotency.in_progress']);
    const created = answers.filter((r) => r.status === 201);
    expect(created.length).toBeGreaterThan(0);
    expect(new Set(created.map((r) => r.body.data.planId)).size).toBe(1);
  });

  it('ignores the header on login: each login gets its own tokens, and nothing is stored', async () => {
    const login = { email: 'idem-admin@example.com', password: 'long-enough-password' };
    const sessions = [];
    for (const key of ['login-key', 'login-key', 'bad key']) {
      const res = await http(systems[0]!).call('POST', '/v1/auth/login', { body: login, headers: { 'Idempotency-Key': key } });
      expect([res.status, res.headers.get('idempotent-replayed')]).toEqual([200, null]);
      sessions.push(res.body.data.refreshToken);
    }
    expect(new Set(sessions).size).toBe(3);
    const stored = await database.db.selectFrom('api.idempotency_keys').select('key').where('key', '=', 'login-key').execute();
    expect(stored).toEqual([]);
  });
});
