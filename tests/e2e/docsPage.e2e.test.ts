import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { System } from '../../src/root/system.js';
import { startTestSystem } from '../api/support.js';
import { createTestDatabase, type TestDatabase } from '../support/db.js';

/**
 * /docs in a real headless browser (Debian's chromium, driven by
 * playwright-core): the reference page loads from this server alone, reads
 * /openapi.json and lists the routes.
 */
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

let database: TestDatabase;
let system: System;
let browser: Browser;
beforeAll(async () => {
  database = await createTestDatabase();
  system = await startTestSystem(database);
  // Root in CI: Chromium's sandbox needs user namespaces it may not have there.
  browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox'] });
});
afterAll(async () => {
  await browser?.close();
  await system?.stop();
  await database?.close();
});

it('opens /docs, fetches nothing from anywhere but this server, and shows the routes', async () => {
  const page = await browser.newPage();
  const requested: string[] = [];
  page.on('request', (request) => void requested.push(request.url()));
  const errors: string[] = [];
  page.on('pageerror', (err) => void errors.push(err.message));
  const response = await page.goto(`${system.url}/docs`);
  expect(response?.status()).toBe(200);
  await page.getByText('/v1/customers/{id}/payment-method').first().waitFor({ timeout: 20_000 });
  await page.getByText('/v1/webhook-endpoints').first().waitFor({ timeout: 5_000 });
  expect(await page.getByText('/v1/api-keys/{id}/roll').count()).toBeGreaterThan(0);
  expect(requested.filter((url) => !url.startsWith(system.url) && !url.startsWith('data:'))).toEqual([]);
  expect(requested).toContain(`${system.url}/openapi.json`);
  expect(errors).toEqual([]);
});
