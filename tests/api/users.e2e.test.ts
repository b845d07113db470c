import { SignJWT, UnsecuredJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Role } from '../../src/domain/shared/index.js';
import type { System } from '../../src/root/system.js';
import { createTestDatabase, type TestDatabase } from '../support/db.js';
import { http, JWT_SECRET, startTestSystem } from './support.js';

let database: TestDatabase;
let system: System;
let api: ReturnType<typeof http>;
beforeAll(async () => {
  database = await createTestDatabase({ poolSize: 20 });
  // Many logins come from one address here; the auth rate limit has its own test.
  system = await startTestSystem(database, { AUTH_RATE_LIMIT_PER_MINUTE: '100000' });
  api = http(system);
});
afterAll(async () => {
  await system?.stop();
  await database?.close();
});

describe('auth over HTTP', () => {
  it('registers a USER, logs in, and reads itself, with read-your-writes', async () => {
    const registered = await api.call('POST', '/v1/auth/register', {
      body: { email: 'Newcomer@Example.com', password: 'a-long-password', displayName: 'Newcomer' },
    });
    expect(registered.status).toBe(201);
    expect(registered.body.data).toMatchObject({ email: 'newcomer@example.com', role: 'USER' });
    const position = registered.headers.get('x-position')!;
    expect(position).toMatch(/^\d+\/\d+$/);

    const login = await api.call('POST', '/v1/auth/login', { body: { email: 'newcomer@example.com', password: 'a-long-password' } });
    expect(login.status).toBe(200);
    const me = await api.call('GET', `/v1/users/${registered.body.data.userId}`, {
      token: login.body.data.accessToken,
      headers: { 'X-Min-Position': position },
    });
    expect(me.status).toBe(200);
    expect(me.body.data).toMatchObject({ displayName: 'Newcomer', active: true, revision: '0' });
    expect(me.headers.get('etag')).toBe('"0"');
    const [registration] = await system.store.readStream(`user-${registered.body.data.userId}`);
    expect(registration!.metadata.actor).toEqual({ id: registered.body.data.userId, role: 'USER' });
  });

  it('gives a contested email to exactly one of two registrations', async () => {
    const body = (name: string) => ({ email: 'contested@example.com', password: 'a-long-password', displayName: name });
    const [a, b] = await Promise.all([api.call('POST', '/v1/auth/register', { body: body('A') }), api.call('POST', '/v1/auth/register', { body: body('B') })]);
    expect([a.status, b.status].sort()).toEqual([201, 409]);
    expect([a, b].find((r) => r.status === 409)!.body.error).toMatchObject({ code: 'CONFLICT', reason: 'user.email_taken' });
  });

  it('refuses tampered, foreign, unsigned, expired and malformed tokens with 401', async () => {
    const { userId, token } = await api.userWithRole('MANAGER', 'tamper@example.com');
    const claims = (key: string, exp: number) =>
      new SignJWT({ role: 'MANAGER' })
        .setProtectedHeader({ alg: 'HS256' })
        .setSubject(userId)
        .setJti('j')
        .setIssuedAt(Math.floor(Date.now() / 1000) - 3600)
        .setExpirationTime(exp)
        .setIssuer('billstream')
        .setAudience('billstream-api')
        .sign(new TextEncoder().encode(key));
    const now = Math.floor(Date.now() / 1000);
    const [header, payload, signature] = token.split('.');
    const edited = Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(payload!, 'base64url').toString()), sub: 'usr_00000000000000000000000000000000' })).toString('base64url');
    const unsigned = new UnsecuredJWT({ role: 'MANAGER' }).setSubject(userId).setIssuer('billstream').setAudience('billstream-api').setExpirationTime(now + 60).encode();
    const cases = {
      foreignKey: await claims('some-other-secret-0123456789-0123456789', now + 60),
      expired: await claims(JWT_SECRET, now - 60),
      unsigned,
      edited: `${header}.${edited}.${signature}`,
      malformed: 'not-a-jwt',
    };
    for (const [name, bad] of Object.entries(cases)) {
      const res = await api.call('GET', '/v1/users', { token: bad });
      expect(res.status, name).toBe(401);
      expect(res.body.error.code, name).toBe('AUTHENTICATION_ERROR');
    }
    expect((await api.call('GET', '/v1/users')).status).toBe(401);
    expect((await api.call('GET', '/v1/users', { token })).status).toBe(200);
  });

  it('rotates refresh tokens and revokes the family on reuse', async () => {
    const { refreshToken } = await api.userWithRole('USER', 'rotation@example.com');
    const next = await api.call('POST', '/v1/auth/refresh', { body: { refreshToken } });
    expect(next.status).toBe(200);
    const reused = await api.call('POST', '/v1/auth/refresh', { body: { refreshToken } });
    expect(reused.status).toBe(401);
    expect(reused.body.error.reason).toBe('auth.refresh_token_reused');
    expect((await api.call('POST', '/v1/auth/refresh', { body: { refreshToken: next.body.data.refreshToken } })).status).toBe(401);
  });
});

describe('users over HTTP', () => {
  it('deactivates once (a repeat answers 200 and appends nothing), and the token stops working at once', async () => {
    const boss = await api.userWithRole('MANAGER', 'boss1@example.com');
    const victim = await api.userWithRole('USER', 'victim@example.com');
    const self = await api.call('GET', `/v1/users/${victim.userId}`, { token: victim.token, headers: { 'X-Min-Position': victim.position } });
    expect(self.status).toBe(200);

    const first = await api.call('DELETE', `/v1/users/${victim.userId}?reason=left`, { token: boss.token });
    expect(first.status).toBe(200);
    expect(first.body.data).toMatchObject({ active: false, revision: '1' });
    expect(first.body.position).toMatch(/^\d+\/\d+$/);
    const again = await api.call('DELETE', `/v1/users/${victim.userId}`, { token: boss.token });
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ data: { active: false, revision: '1' }, position: null });

    const refused = await api.call('GET', `/v1/users/${victim.userId}`, { token: victim.token });
    expect(refused.status).toBe(401);
    expect(refused.body.error.reason).toBe('auth.user_inactive');

    const back = await api.call('PATCH', `/v1/users/${victim.userId}/reactivate`, { token: boss.token });
    expect(back.body.data).toMatchObject({ active: true, revision: '2' });
    const backAgain = await api.call('PATCH', `/v1/users/${victim.userId}/reactivate`, { token: boss.token });
    expect(backAgain.status).toBe(200);
    expect(backAgain.body.position).toBeNull();
  });

  it('lists users by role, a page at a time', async () => {
    const boss = await api.userWithRole('MANAGER', 'lister@example.com');
    let position = '';
    for (const n of [1, 2, 3]) ({ position } = await api.userWithRole('AUDITOR', `auditor-${n}@example.com`));
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page = await api.call('GET', `/v1/users?role=AUDITOR&limit=2${cursor ? `&cursor=${cursor}` : ''}`, {
        token: boss.token,
        headers: { 'X-Min-Position': position },
      });
      expect(page.status).toBe(200);
      expect(page.body.data.length).toBeLessThanOrEqual(2);
      seen.push(...page.body.data.map((u: { email: string; role: string }) => `${u.role}:${u.email}`));
      cursor = page.body.page.nextCursor;
      expect(page.body.page.hasMore).toBe(cursor !== null);
    } while (cursor);
    expect(seen).toEqual(['AUDITOR:auditor-1@example.com', 'AUDITOR:auditor-2@example.com', 'AUDITOR:auditor-3@example.com']);
    expect((await api.call('GET', '/v1/users?limit=101', { token: boss.token })).status).toBe(400);
  });

  it('answers 412 to a stale If-Match and applies a current one', async () => {
    const boss = await api.userWithRole('MANAGER', 'boss2@example.com');
    const target = await api.userWithRole('USER', 'target@example.com');
    const stale = await api.call('PATCH', `/v1/users/${target.userId}/role`, { token: boss.token, body: { role: 'ADMIN' }, headers: { 'If-Match': '"5"' } });
    expect(stale.status).toBe(412);
    expect(stale.body.error.code).toBe('PRECONDITION_FAILED');
    const current = await api.call('PATCH', `/v1/users/${target.userId}/role`, { token: boss.token, body: { role: 'ADMIN' }, headers: { 'If-Match': '"0"' } });
    expect(current.status).toBe(200);
    expect(current.headers.get('etag')).toBe('"1"');
    const badHeader = await api.call('PATCH', `/v1/users/${target.userId}/role`, { token: boss.token, body: { role: 'USER' }, headers: { 'If-Match': 'yesterday' } });
    expect(badHeader.status).toBe(400);
  });

  it('enforces who may do what, for every role on every user route', async () => {
    const roles: Role[] = ['USER', 'ADMIN', 'MANAGER', 'AUDITOR'];
    const callers = Object.fromEntries(
      await Promise.all(roles.map(async (role) => [role, await api.userWithRole(role, `rbac-${role.toLowerCase()}@example.com`)] as const)),
    );
    // Each route runs against a fresh USER target, so one caller's change does not affect the next.
    const routes: ReadonlyArray<[string, (id: string) => [string, string, unknown?], Record<Role, number>]> = [
      ['list users', () => ['GET', '/v1/users'], { USER: 200, ADMIN: 200, MANAGER: 200, AUDITOR: 200 }],
      ['read another user', (id) => ['GET', `/v1/users/${id}`], { USER: 403, ADMIN: 200, MANAGER: 200, AUDITOR: 200 }],
      ['make a USER an ADMIN', (id) => ['PATCH', `/v1/users/${id}/role`, { role: 'ADMIN' }], { USER: 403, ADMIN: 200, MANAGER: 200, AUDITOR: 403 }],
      ['make a USER a MANAGER', (id) => ['PATCH', `/v1/users/${id}/role`, { role: 'MANAGER' }], { USER: 403, ADMIN: 403, MANAGER: 200, AUDITOR: 403 }],
      ['deactivate a USER', (id) => ['DELETE', `/v1/users/${id}`], { USER: 403, ADMIN: 200, MANAGER: 200, AUDITOR: 403 }],
      ['reactivate an active USER (a no-op)', (id) => ['PATCH', `/v1/users/${id}/reactivate`], { USER: 403, ADMIN: 200, MANAGER: 200, AUDITOR: 403 }],
    ];
    let n = 0;
    for (const [label, route, expected] of routes) {
      for (const role of roles) {
        const target = await api.userWithRole('USER', `rbac-target-${n++}@example.com`);
        const [method, path, body] = route(target.userId);
        const res = await api.call(method, path, {
          token: callers[role]!.token,
          headers: { 'X-Min-Position': target.position },
          ...(body !== undefined && { body }),
        });
        expect(res.status, `${role} → ${label}`).toBe(expected[role]);
      }
    }
    const list = await api.call('GET', '/v1/users', { token: callers.USER!.token, headers: { 'X-Min-Position': callers.USER!.position } });
    expect(list.body.data.map((u: { userId: string }) => u.userId)).toEqual([callers.USER!.userId]);
  });
});
