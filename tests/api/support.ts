import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect } from 'vitest';
import { loadConfig } from '../../src/config/index.js';
import { ROLES, type Role } from '../../src/domain/shared/index.js';
import { formatPosition } from '../../src/eventstore/index.js';
import { createSilentLogger } from '../../src/logger/index.js';
import { startSystem, type System, type SystemOverrides } from '../../src/root/system.js';
import type { TestDatabase } from '../support/db.js';

export const JWT_SECRET = 'e2e-secret-0123456789-0123456789-abc';

/**
 * A system on the test database. Its DATA_DIR (where notices are written as
 * .eml files) is a fresh temporary directory unless `env` names one.
 */
export const startTestSystem = (database: TestDatabase, env: Record<string, string> = {}, overrides: SystemOverrides = {}) =>
  startSystem(
    loadConfig({
      DATABASE_URL: database.url,
      DATA_DIR: mkdtempSync(path.join(tmpdir(), 'billstream-test-')),
      PORT: '0',
      HOST: '127.0.0.1',
      JWT_SECRET,
      // Cheap hashes and generous limits; the tests of both set their own.
      SCRYPT_COST: '10',
      AUTH_RATE_LIMIT_PER_MINUTE: '100000',
      API_RATE_LIMIT_PER_MINUTE: '1000000',
      // The billing triggers fire on the wall clock; the API's tests bill, if at all, on a clock they fix.
      SCHEDULER: 'off',
      ...env,
    }),
    createSilentLogger(),
    overrides,
  );

export type Json = any;

export const http = (system: System) => {
  const call = async (method: string, path: string, options: { token?: string; body?: unknown; headers?: Record<string, string> } = {}) => {
    const res = await fetch(`${system.url}${path}`, {
      method,
      headers: {
        ...(options.body !== undefined && { 'content-type': 'application/json' }),
        ...(options.token && { authorization: `Bearer ${options.token}` }),
        ...options.headers,
      },
      ...(options.body !== undefined && { body: JSON.stringify(options.body) }),
    });
    const text = await res.text();
    const json = text !== '' && (res.headers.get('content-type') ?? '').includes('json');
    return { status: res.status, headers: res.headers, body: (json ? JSON.parse(text) : text || undefined) as Json };
  };
  return {
    call,
    /** Creates a user of any role the way the CLI bootstraps one, and logs it in over HTTP. */
    async userWithRole(role: Role, email: string) {
      const password = 'long-enough-password';
      const { userId, result } = await system.accounts.register(
        { email, password, displayName: email.split('@')[0]!, role },
        { actor: { id: 'system:test' }, source: 'cli', correlationId: 'bootstrap' },
      );
      const login = await call('POST', '/v1/auth/login', { body: { email, password } });
      if (login.status !== 200) throw new Error(`login failed: ${JSON.stringify(login.body)}`);
      return {
        userId,
        token: login.body.data.accessToken as string,
        refreshToken: login.body.data.refreshToken as string,
        /** Where the registration is: a read of read models waits for it with X-Min-Position. */
        position: formatPosition(result.position!),
      };
    },
  };
};

/** A signed-in user of every role, and their tokens by role. */
export const tokensForEveryRole = async (api: ReturnType<typeof http>, prefix: string): Promise<Record<Role, string>> =>
  Object.fromEntries(
    await Promise.all(ROLES.map(async (role) => [role, (await api.userWithRole(role, `${prefix}-${role.toLowerCase()}@example.com`)).token])),
  ) as Record<Role, string>;

const ERROR_CODES = [
  'VALIDATION_ERROR',
  'AUTHENTICATION_ERROR',
  'FORBIDDEN',
  'NOT_FOUND',
  'CONFLICT',
  'PRECONDITION_FAILED',
  'METHOD_NOT_ALLOWED',
  'PAYLOAD_TOO_LARGE',
  'UNSUPPORTED_MEDIA_TYPE',
  'RATE_LIMITED',
  'NOT_READY',
];

/** A failed answer carries the error envelope, with a known code and the request's id. */
export const expectEnvelope = (res: { status: number; headers: Headers; body: Json }, label: string) => {
  if (res.status < 400) return;
  expect(res.body?.error, label).toBeDefined();
  const { error } = res.body;
  expect(ERROR_CODES, `${label}: code ${error.code}`).toContain(error.code);
  expect(typeof error.message, label).toBe('string');
  expect(error.requestId, label).toBe(res.headers.get('x-request-id'));
  if (error.reason !== undefined) expect(error.reason, label).toMatch(/^[a-z_]+(\.[a-z_]+)+$/);
};
