import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, expect, it, vi } from 'vitest';
import { accessChanges, createRegistration } from '../../src/application/auth/index.js';
import { createUserCommands } from '../../src/application/user/index.js';
import type { Role } from '../../src/domain/shared/index.js';
import { createPostgresEventStore, type PostgresEventStore } from '../../src/eventstore/index.js';
import { createTestDatabase, type TestDatabase } from '../support/db.js';
import { workerProcesses } from '../support/workerProcess.js';
import { freePort } from '../support/freePort.js';

/**
 * SPEC: a deactivated user's tokens stop working at once, and a demoted one's
 * role with them. Each API process answers "who calls" from its own view of
 * the users' streams, so "at once" means: a request sent after the change's
 * HTTP answer is refused by every process, whichever answered the change.
 * Three `--role api` processes on one database; the change goes through one,
 * and the requests sent on its answer go to all three.
 */
const NOW = new Date('2026-04-01T10:00:00Z');
const clock = { now: () => NOW };
const PASSWORD = 'long-enough-password';
const JWT_SECRET = 'access-views-secret-0123456789-0123456789';

let database: TestDatabase;
let store: PostgresEventStore;
let processes: Awaited<ReturnType<typeof workerProcesses>>;
let register: ReturnType<typeof createRegistration>;
const urls: string[] = [];
const children: ReturnType<Awaited<ReturnType<typeof workerProcesses>>['start']>[] = [];
let admin: Awaited<ReturnType<typeof userWithRole>>;

const call = async (url: string, method: string, path: string, token?: string, body?: unknown) => {
  const res = await fetch(`${url}${path}`, {
    method,
    headers: { ...(token && { authorization: `Bearer ${token}` }), ...(body !== undefined && { 'content-type': 'application/json' }) },
    ...(body !== undefined && { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  return { status: res.status, body: (text ? JSON.parse(text) : undefined) as { error?: { reason?: string } } | undefined };
};

/** A user registered as the CLI does, signed in over HTTP through the first process. */
const userWithRole = async (role: Role) => {
  const email = `${role.toLowerCase()}-${randomUUID().slice(0, 8)}@example.com`;
  const { userId } = await register(
    { email, password: PASSWORD, displayName: 'Someone', role },
    { actor: { id: 'system:test' }, source: 'cli', correlationId: randomUUID() },
  );
  const login = await fetch(`${urls[0]}/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email, password: PASSWORD }),
  });
  const token = ((await login.json()) as { data: { accessToken: string } }).data.accessToken;
  return { userId, token };
};

beforeAll(async () => {
  database = await createTestDatabase({ poolSize: 3 });
  store = createPostgresEventStore({ pool: database.pool });
  const users = createUserCommands({ db: database.db, store, clock, wall: clock, accessChanged: accessChanges(database.db) });
  register = createRegistration({ db: database.db, store, clock, users, scrypt: { N: 2 ** 10, r: 8, p: 1 } });
  processes = await workerProcesses(database.url);
  for (let i = 0; i < 3; i++) {
    const port = await freePort();
    const env = { PORT: String(port), HOST: '127.0.0.1', JWT_SECRET, SCRYPT_COST: '10', SCHEDULER: 'off' };
    const started = processes.start({ ...env, AUTH_RATE_LIMIT_PER_MINUTE: '100000', API_RATE_LIMIT_PER_MINUTE: '1000000' }, 'api');
    urls.push(`http://127.0.0.1:${port}`);
    children.push(started);
  }
  const outputs = () => children.map((c) => c.output()).join('\n');
  for (const url of urls) {
    await vi.waitFor(
      async () => {
        if ((await fetch(`${url}/health`).then((r) => r.status, () => 0)) !== 200) throw new Error(`no API at ${url}: ${outputs()}`);
      },
      { timeout: 60_000, interval: 100 },
    );
  }
  // Each view answers once its row has settled and it has caught up with the log; until then the streams do.
  await vi.waitFor(
    () => {
      if (!children.every((c) => c.logged('access view answering'))) throw new Error(`a view never answered: ${outputs()}`);
    },
    { timeout: 30_000, interval: 100 },
  );
  admin = await userWithRole('ADMIN');
}, 90_000);

afterAll(async () => {
  await processes?.close();
  await store?.close();
  await database?.close();
});

/** Every process lets the user through, from its view once it has caught up with the user's registration. */
const acceptedEverywhere = async (token: string, path: string) => {
  for (const url of urls) await expect.poll(async () => (await call(url, 'GET', path, token)).status, { timeout: 10_000 }).toBe(200);
};

it('refuses, in every process, a request sent after a deactivation or a demotion was answered by any of them', async () => {
  for (let round = 0; round < 10; round++) {
    const target = await userWithRole('ADMIN');
    // An ADMIN reads another user; a USER only itself.
    const probe = `/v1/users/${admin.userId}`;
    await acceptedEverywhere(target.token, probe);
    const through = urls[round % urls.length]!;
    const demote = round % 2 === 1;
    const change = demote
      ? await call(through, 'PATCH', `/v1/users/${target.userId}/role`, admin.token, { role: 'USER' })
      : await call(through, 'DELETE', `/v1/users/${target.userId}`, admin.token);
    expect(change.status).toBe(200);
    const after = await Promise.all(urls.map((url) => call(url, 'GET', probe, target.token)));
    expect(
      after.map((r) => [r.status, r.body?.error?.reason]),
      `round ${round}`,
    ).toEqual(urls.map(() => (demote ? [403, 'user.forbidden'] : [401, 'auth.user_inactive'])));
  }
});

it('waits out a process that cannot hear the change, which then refuses the user as soon as it runs again', async () => {
  const target = await userWithRole('ADMIN');
  const probe = `/v1/users/${admin.userId}`;
  await acceptedEverywhere(target.token, probe);
  const frozen = children[2]!.child;
  frozen.kill('SIGSTOP');
  try {
    expect((await call(urls[0]!, 'DELETE', `/v1/users/${target.userId}`, admin.token)).status).toBe(200);
  } finally {
    frozen.kill('SIGCONT');
  }
  // Its view has not read the deactivation yet, and its lease has run out: it asks the stream.
  expect(await call(urls[2]!, 'GET', probe, target.token)).toMatchObject({ status: 401, body: { error: { reason: 'auth.user_inactive' } } });
  // Fenced by the deactivation, it registers again, and promises the log as it then was.
  await expect
    .poll(async () => (await database.pool.query(`select fenced, position from auth.access_views where holder like $1`, [`%:${children[2]!.pid}:%`])).rows, {
      timeout: 10_000,
    })
    .toEqual([{ fenced: false, position: expect.stringMatching(/^\d+\/\d+$/) }]);
}, 30_000);
