import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { System } from '../../src/root/system.js';
import { createTestDatabase, type TestDatabase } from '../support/db.js';
import { http, startTestSystem } from './support.js';

let database: TestDatabase;
let system: System;
let api: ReturnType<typeof http>;
let boss: Awaited<ReturnType<ReturnType<typeof http>['userWithRole']>>;

beforeAll(async () => {
  database = await createTestDatabase({ poolSize: 20 });
  system = await startTestSystem(database);
  api = http(system);
  boss = await api.userWithRole('MANAGER', 'leaks-boss@example.com');
});
afterAll(async () => {
  await system?.stop();
  await database?.close();
});

const PASSWORD = 'long-enough-password';

describe('what answers must not tell', () => {
  it('answers a deactivated account with the right password as it answers a wrong one', async () => {
    const user = await api.userWithRole('USER', 'gone@example.com');
    expect((await api.call('DELETE', `/v1/users/${user.userId}`, { token: boss.token })).status).toBe(200);
    const right = await api.call('POST', '/v1/auth/login', { body: { email: 'gone@example.com', password: PASSWORD } });
    const wrong = await api.call('POST', '/v1/auth/login', { body: { email: 'gone@example.com', password: 'not-the-password' } });
    expect(right.status).toBe(401);
    const strip = (body: any) => ({ ...body.error, requestId: undefined });
    expect(strip(right.body)).toEqual(strip(wrong.body));
    expect(right.body.error.reason).toBe('auth.invalid_credentials');
  });

  it('answers 403 to a USER or AUDITOR changing a user, whether that user exists or not', async () => {
    const existing = await api.userWithRole('USER', 'exists@example.com');
    const missing = 'usr_0000000000000000000000000000dead';
    for (const role of ['USER', 'AUDITOR'] as const) {
      const caller = await api.userWithRole(role, `nosy-${role.toLowerCase()}@example.com`);
      for (const id of [existing.userId, missing]) {
        for (const [method, path, body] of [
          ['PATCH', `/v1/users/${id}/role`, { role: 'ADMIN' }],
          ['DELETE', `/v1/users/${id}`, undefined],
          ['PATCH', `/v1/users/${id}/reactivate`, undefined],
        ] as const) {
          const res = await api.call(method, path, { token: caller.token, ...(body && { body }) });
          expect(res.status, `${role} ${method} ${path}`).toBe(403);
        }
      }
    }
  });

  it('ends every session of a deactivated user: refresh tokens from before stay dead after reactivation', async () => {
    const user = await api.userWithRole('USER', 'sessions@example.com');
    const second = await api.call('POST', '/v1/auth/login', { body: { email: 'sessions@example.com', password: PASSWORD } });
    expect((await api.call('DELETE', `/v1/users/${user.userId}`, { token: boss.token })).status).toBe(200);
    expect((await api.call('PATCH', `/v1/users/${user.userId}/reactivate`, { token: boss.token })).status).toBe(200);
    for (const refreshToken of [user.refreshToken, second.body.data.refreshToken as string]) {
      const res = await api.call('POST', '/v1/auth/refresh', { body: { refreshToken } });
      expect(res.status).toBe(401);
    }
    const fresh = await api.call('POST', '/v1/auth/login', { body: { email: 'sessions@example.com', password: PASSWORD } });
    expect(fresh.status).toBe(200);
    expect((await api.call('POST', '/v1/auth/refresh', { body: { refreshToken: fresh.body.data.refreshToken } })).status).toBe(200);
  });
});

describe('with the read models stopped', () => {
  it('still refuses a deactivated user at once, and answers commands from the stream', async () => {
    const user = await api.userWithRole('USER', 'lagging@example.com');
    const target = await api.userWithRole('USER', 'lagging-target@example.com');
    await system.projections.stop();
    const demoted = await api.call('DELETE', `/v1/users/${user.userId}`, { token: boss.token });
    expect(demoted.status).toBe(200);
    expect(demoted.body.data).toMatchObject({ userId: user.userId, active: false, revision: '1' });
    // read.users still says active: authorisation must not believe it.
    expect((await api.call('GET', `/v1/users/${user.userId}`, { token: user.token })).status).toBe(401);
    const promoted = await api.call('PATCH', `/v1/users/${target.userId}/role`, { token: boss.token, body: { role: 'ADMIN' } });
    expect(promoted.status).toBe(200);
    expect(promoted.body.data).toMatchObject({ role: 'ADMIN', active: true, revision: '1' });
    expect(promoted.headers.get('etag')).toBe('"1"');
  });
});
