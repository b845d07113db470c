import { afterAll, beforeAll, expect } from 'vitest';
import type { System, SystemOverrides } from '../../src/root/system.js';
import { createTestDatabase, type TestDatabase } from '../support/db.js';
import { http, startTestSystem, type Json } from './support.js';

/**
 * A test system on a simulated clock starting at `clockStart`, with a MANAGER
 * (the role that may move the clock) signed in as `managerEmail`. Registers
 * the file's beforeAll/afterAll; the fields exist once beforeAll has run, so
 * read them inside tests, not at the top of the file.
 */
export const onSimulatedClock = (clockStart: string, managerEmail: string, env: Record<string, string> = {}, overrides: SystemOverrides = {}) => {
  let database: TestDatabase | undefined;
  let system: System | undefined;
  let api: ReturnType<typeof http> | undefined;
  let manager: string | undefined;

  beforeAll(async () => {
    database = await createTestDatabase({ poolSize: 20 });
    system = await startTestSystem(database, { CLOCK: 'simulated', CLOCK_START: clockStart, ...env }, overrides);
    api = http(system);
    manager = (await api.userWithRole('MANAGER', managerEmail)).token;
  });
  afterAll(async () => {
    await system?.stop();
    await database?.close();
  });

  const ready = <T>(value: T | undefined, name: string): T => {
    if (value === undefined) throw new Error(`onSimulatedClock: ${name} is read before beforeAll has run`);
    return value;
  };

  const clock = {
    get system() {
      return ready(system, 'system');
    },
    get api() {
      return ready(api, 'api');
    },
    /** The MANAGER's access token. */
    get manager() {
      return ready(manager, 'manager');
    },
    /** POSTs as the manager, expects a 2xx, and returns the envelope's data. */
    post: async (path: string, body: unknown = {}) => {
      const res = await clock.api.call('POST', path, { token: clock.manager, body });
      expect(res.status, `${path}: ${JSON.stringify(res.body)}`).toBeLessThan(300);
      return res.body.data as Json;
    },
    /** GETs as the manager, expects a 200, and returns the envelope's data. */
    get: async (path: string, headers: Record<string, string> = {}) => {
      const res = await clock.api.call('GET', path, { token: clock.manager, headers });
      expect(res.status, `${path}: ${JSON.stringify(res.body)}`).toBe(200);
      return res.body.data as Json;
    },
    /** Sends as the manager, expects a 2xx, and returns the whole envelope, position included. */
    send: async (method: 'POST' | 'PATCH', path: string, body: unknown = {}) => {
      const res = await clock.api.call(method, path, { token: clock.manager, body });
      expect(res.status, `${path}: ${JSON.stringify(res.body)}`).toBeLessThan(300);
      return res.body as { data: Json; position: string | null };
    },
  };
  return clock;
};
