import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PUBLIC_ROUTES } from '../../src/api/http/access.js';
import { ROLES, type Role } from '../../src/domain/shared/index.js';
import type { System } from '../../src/root/system.js';
import { createTestDatabase, type TestDatabase } from '../support/db.js';
import { expectEnvelope, http, startTestSystem, tokensForEveryRole } from './support.js';

/**
 * Walks every route the API's router holds, so a route added later is covered
 * without anyone adding it here: under several spellings of its path, with no
 * token, a garbage token and a token of each role.
 */
let database: TestDatabase;
let system: System;
let api: ReturnType<typeof http>;
let tokens: Record<Role, string>;
let victimId: string;

beforeAll(async () => {
  database = await createTestDatabase({ poolSize: 20 });
  system = await startTestSystem(database);
  api = http(system);
  tokens = await tokensForEveryRole(api, 'walker');
  victimId = (await api.userWithRole('USER', 'walker-victim@example.com')).userId;
});
afterAll(async () => {
  await system?.stop();
  await database?.close();
});

const concrete = (pattern: string) =>
  pattern.replace(/:(\w+)/g, (_, name: string) => (name === 'streamName' ? `user-${victimId}` : name === 'id' ? victimId : 'x'));

/** Changes the case of the route's own words, never of the values put in for its parameters. */
const respell = (pattern: string, change: (segment: string, index: number, all: string[]) => string) =>
  pattern
    .split('/')
    .map((segment, i, all) => (segment.startsWith(':') ? segment : change(segment, i, all)))
    .join('/');

/** The exact path, and spellings that differ only in case: none of these may reach the route. */
const spellings = (pattern: string) => ({
  exact: [concrete(pattern), `${concrete(pattern)}/`],
  otherCase: [
    respell(pattern, (s) => s.toUpperCase()),
    respell(pattern, (s) => s.charAt(0).toUpperCase() + s.slice(1)),
    respell(pattern, (s, i, all) => (i === all.findLastIndex((x) => x !== '' && !x.startsWith(':')) ? s.replace(/[a-z]$/, (c) => c.toUpperCase()) : s)),
  ]
    .filter((p) => p !== pattern)
    .map(concrete),
});

const isPublic = (method: string, pattern: string) => PUBLIC_ROUTES[`${method} ${pattern}`] !== undefined;

const send = (method: string, path: string, token?: string) =>
  api.call(method, path, { ...(token !== undefined && { token }), ...(['POST', 'PATCH', 'PUT'].includes(method) && { body: {} }) });

describe('every registered route', () => {
  it('is known to the walk: the router holds the user, audit, stream, auth and health routes', () => {
    const seen = system.routes.map((r) => `${r.method} ${r.path}`);
    expect(seen).toEqual(expect.arrayContaining(['GET /v1/users/:id', 'DELETE /v1/users/:id', 'GET /v1/audit', 'POST /v1/auth/login', 'GET /health']));
    // The public list names only routes that exist: a renamed route cannot silently stay public.
    for (const key of Object.keys(PUBLIC_ROUTES)) expect(seen, key).toContain(key);
  });

  it('answers 401 without a valid token unless it is public, under every spelling', async () => {
    for (const { method, path: pattern } of system.routes) {
      const { exact, otherCase } = spellings(pattern);
      for (const path of exact) {
        for (const token of [undefined, 'garbage', `${tokens.MANAGER}x`]) {
          const res = await send(method, path, token);
          const label = `${method} ${path} with ${token === undefined ? 'no token' : 'a bad token'}`;
          expectEnvelope(res, label);
          if (isPublic(method, pattern)) expect(res.status, label).not.toBe(401);
          else {
            expect(res.status, label).toBe(401);
            expect(res.headers.get('www-authenticate'), label).toMatch(/^Bearer realm="billstream"/);
          }
        }
      }
      for (const path of otherCase) {
        for (const token of [undefined, 'garbage']) {
          const res = await send(method, path, token);
          expect(res.status, `${method} ${path}`).toBe(401);
          expectEnvelope(res, `${method} ${path}`);
        }
      }
    }
  });

  it('never reaches a route through another spelling, whatever the role; the exact spelling never fails with 401 or 5xx', async () => {
    for (const { method, path: pattern } of system.routes) {
      const { exact, otherCase } = spellings(pattern);
      for (const role of ROLES) {
        for (const path of otherCase) {
          const res = await send(method, path, tokens[role]);
          expect(res.status, `${role} ${method} ${path}`).toBe(404);
          expectEnvelope(res, `${role} ${method} ${path}`);
        }
        const res = await send(method, exact[0]!, tokens[role]);
        expect(res.status, `${role} ${method} ${exact[0]}`).toBeLessThan(500);
        expect(res.status, `${role} ${method} ${exact[0]}`).not.toBe(401);
        expectEnvelope(res, `${role} ${method} ${exact[0]}`);
      }
    }
  });
});
