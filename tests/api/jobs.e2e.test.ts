import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Role } from '../../src/domain/shared/index.js';
import { createJobs, type Jobs } from '../../src/jobs/jobs.js';
import { getJob } from '../../src/jobs/view.js';
import { createSilentLogger } from '../../src/logger/index.js';
import type { System } from '../../src/root/system.js';
import { createTestDatabase, type TestDatabase } from '../support/db.js';
import { http, startTestSystem, tokensForEveryRole } from './support.js';

/** GET /v1/jobs: the job view over HTTP, for ADMIN and MANAGER, on real pg-boss jobs. */
let database: TestDatabase;
let system: System;
let api: ReturnType<typeof http>;
let tokens: Record<Role, string>;
let jobs: Jobs;
let dead: string;
let done: string;

beforeAll(async () => {
  database = await createTestDatabase({ poolSize: 20 });
  system = await startTestSystem(database);
  api = http(system);
  tokens = await tokensForEveryRole(api, 'jobs');
  jobs = createJobs({ pool: database.pool, logger: createSilentLogger(), pollingIntervalSeconds: 0.5 });
  await jobs.start([{ name: 'api-effects', retryLimit: 0, retryDelaySeconds: 1, expireInSeconds: 60 }]);
  await jobs.work<{ ok: boolean }>('api-effects', async (data) => {
    if (!data.ok) throw new Error('smtp refused');
  });
  dead = (await jobs.enqueue('api-effects', 'view:dead', { ok: false })).jobId;
  done = (await jobs.enqueue('api-effects', 'view:done', { ok: true })).jobId;
}, 60_000);
afterAll(async () => {
  await jobs?.stop(1_000);
  await system?.stop();
  await database?.close();
});

const get = (path: string, role: Role = 'MANAGER') => api.call('GET', path, { token: tokens[role] });
/** Both jobs have run: one dead, one done. */
const settled = () =>
  expect
    .poll(async () => [(await getJob(database.db, dead))?.state, (await getJob(database.db, done))?.state], { timeout: 10_000 })
    .toEqual(['DEAD', 'COMPLETED']);

it('lists jobs newest first in the operators’ states, filtered by state and queue', async () => {
  await settled();
  const all = await get('/v1/jobs');
  expect(all.status).toBe(200);
  expect(all.body.data.map((j: { jobId: string }) => j.jobId)).toEqual([done, dead]);
  const deadOnly = await get('/v1/jobs?state=DEAD&queue=api-effects', 'ADMIN');
  expect(deadOnly.body.data).toEqual([
    expect.objectContaining({ jobId: dead, queue: 'api-effects', state: 'DEAD', attempts: 1, maxAttempts: 1, lastError: 'smtp refused', nextRunAt: null }),
  ]);
  expect((await get('/v1/jobs?queue=api-effects.dead')).body.data.map((j: { data: unknown }) => j.data)).toEqual([{ ok: false }]);
  expect((await get('/v1/jobs?state=PENDING')).body.data).toEqual([]);
});

it('shows one job, and answers 404 for one that does not exist', async () => {
  await settled();
  const one = await get(`/v1/jobs/${done}`);
  expect(one.body.data).toMatchObject({ jobId: done, state: 'COMPLETED', attempts: 1, data: { ok: true } });
  const missing = await get('/v1/jobs/00000000-0000-4000-8000-000000000000');
  expect(missing.status).toBe(404);
  expect(missing.body.error).toMatchObject({ code: 'NOT_FOUND', reason: 'job.not_found' });
});

it('refuses bad filters with a 400, and every role but ADMIN and MANAGER with a 403', async () => {
  for (const query of ['state=WAITING', 'queue=Bad%20Name', 'limit=0', 'limit=101']) expect((await get(`/v1/jobs?${query}`)).status, query).toBe(400);
  expect((await get('/v1/jobs/not-a-uuid')).status).toBe(400);
  for (const role of ['USER', 'AUDITOR'] as const) {
    expect((await get('/v1/jobs', role)).status, role).toBe(403);
    expect((await get(`/v1/jobs/${dead}`, role)).status, role).toBe(403);
  }
});
