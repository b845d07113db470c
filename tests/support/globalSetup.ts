import { chmod, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { TestProject } from 'vitest/node';
import { EmbeddedPostgres } from '../../src/db/embeddedPostgres.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Server-level connection string; each test file creates its own database on it. */
    postgresUrl: string;
  }
}

/** One PostgreSQL per test run: DATABASE_URL when set, otherwise the embedded server. */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  if (process.env.DATABASE_URL) {
    project.provide('postgresUrl', process.env.DATABASE_URL);
    return async () => {};
  }
  const parent = await mkdtemp(path.join(os.tmpdir(), 'billstream-test-'));
  // mkdtemp makes it 0700; as root, the server runs as `postgres` and must traverse it.
  await chmod(parent, 0o755);
  const server = new EmbeddedPostgres({
    dataDir: path.join(parent, 'postgres'),
    port: 54_330,
    durable: false,
  });
  project.provide('postgresUrl', await server.start());
  return async () => {
    await server.stop();
    await rm(parent, { recursive: true, force: true });
  };
}
