import { loadConfig } from '../../src/config.js';
import type { Role } from '../../src/domain/shared/index.js';
import { createSilentLogger } from '../../src/logger.js';
import { startSystem, type System } from '../../src/system.js';
import type { TestDatabase } from '../support/db.js';

export const JWT_SECRET = 'e2e-secret-0123456789-0123456789-abc';

export const startTestSystem = (database: TestDatabase, env: Record<string, string> = {}) =>
  startSystem(
    loadConfig({ DATABASE_URL: database.url, PORT: '0', HOST: '127.0.0.1', JWT_SECRET, ...env }),
    createSilentLogger(),
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
    return { status: res.status, headers: res.headers, body: (text ? JSON.parse(text) : undefined) as Json };
  };
  return {
    call,
    /** Creates a user of any role the way the CLI bootstraps one, and logs it in over HTTP. */
    async userWithRole(role: Role, email: string) {
      const password = 'long-enough-password';
      const { userId } = await system.accounts.register(
        { email, password, displayName: email.split('@')[0]!, role },
        { actor: { id: 'system:test' }, source: 'cli', correlationId: 'bootstrap' },
      );
      const login = await call('POST', '/v1/auth/login', { body: { email, password } });
      if (login.status !== 200) throw new Error(`login failed: ${JSON.stringify(login.body)}`);
      return { userId, token: login.body.data.accessToken as string, refreshToken: login.body.data.refreshToken as string };
    },
  };
};
