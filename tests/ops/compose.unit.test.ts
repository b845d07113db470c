import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';
import { parse } from 'yaml';
import { loadConfig } from '../../src/config/index.js';

const root = fileURLToPath(new URL('../..', import.meta.url));

type Service = {
  image?: string;
  build?: string;
  environment?: Record<string, string>;
  depends_on?: Record<string, { condition: string }>;
  healthcheck?: { test: string[] };
};

/** docker compose cannot run here; this keeps the file honest by reading it. */
it('describes EventStoreDB, PostgreSQL and the app, wired by configuration the app accepts', async () => {
  const compose = parse(await readFile(`${root}/docker-compose.yml`, 'utf8')) as { services: Record<string, Service> };
  const { eventstore, postgres, app } = compose.services;
  expect(eventstore?.image).toMatch(/kurrentdb|eventstore/);
  expect(eventstore?.environment?.KURRENTDB_INSECURE).toBe('true');
  expect(postgres?.image).toBe('postgres:16');
  for (const service of [eventstore, postgres, app]) expect(service?.healthcheck?.test.length).toBeGreaterThan(0);

  expect(app?.build).toBe('.');
  expect(app?.depends_on).toEqual({
    eventstore: { condition: 'service_healthy' },
    postgres: { condition: 'service_healthy' },
  });
  const config = loadConfig(app!.environment!);
  expect(config.EVENTSTORE_URL).toBe('esdb://eventstore:2113?tls=false');
  const db = new URL(config.DATABASE_URL!);
  expect(db.hostname).toBe('postgres');
  expect(decodeURIComponent(db.username)).toBe(postgres!.environment!.POSTGRES_USER);
  expect(decodeURIComponent(db.password)).toBe(postgres!.environment!.POSTGRES_PASSWORD);
  expect(db.pathname).toBe(`/${postgres!.environment!.POSTGRES_DB}`);
});

it('builds the app image to run what npm start runs', async () => {
  const dockerfile = await readFile(`${root}/Dockerfile`, 'utf8');
  const pkg = JSON.parse(await readFile(`${root}/package.json`, 'utf8')) as { scripts: { start: string } };
  const cmd = /^CMD (\[.*\])$/m.exec(dockerfile);
  expect((JSON.parse(cmd![1]!) as string[]).join(' ')).toBe(pkg.scripts.start);
});
