import { Validator } from '@seriousme/openapi-schema-validator';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { PUBLIC_ROUTES } from '../../src/api/http/access.js';
import { WEBHOOK_EVENT_TYPES } from '../../src/domain/webhook/index.js';
import type { System } from '../../src/root/system.js';
import { createTestDatabase, type TestDatabase } from '../support/db.js';
import { http, startTestSystem, type Json } from './support.js';

/** /openapi.json, read off the router: every route in it, nothing else, valid OpenAPI 3.1, public. */
let database: TestDatabase;
let system: System;
let document: Json;
beforeAll(async () => {
  database = await createTestDatabase();
  system = await startTestSystem(database);
  const res = await http(system).call('GET', '/openapi.json');
  expect(res.status).toBe(200);
  document = res.body;
});
afterAll(async () => {
  await system?.stop();
  await database?.close();
});

const asOpenApi = (path: string) => path.replace(/:(\w+)/g, '{$1}');

it('is a valid OpenAPI 3.1 document, with no credential needed to read it', async () => {
  expect(document.openapi).toBe('3.1.0');
  const result = await new Validator().validate(document);
  expect(result.errors ?? [], JSON.stringify(result.errors)).toEqual([]);
  expect(result.valid).toBe(true);
});

it('describes every route the router serves, and no route it does not', () => {
  const served = system.routes.map((r) => `${r.method.toLowerCase()} ${asOpenApi(r.path)}`).sort();
  const documented = Object.entries(document.paths as Record<string, Record<string, unknown>>)
    .flatMap(([path, operations]) => Object.keys(operations).map((method) => `${method} ${path}`))
    .sort();
  expect(documented).toEqual(served);
});

it('says what each route needs: nothing for the public ones, a token or an API key with its scope for the others, the roles it lets in', () => {
  for (const { method, path } of system.routes) {
    const operation = document.paths[asOpenApi(path)][method.toLowerCase()];
    if (PUBLIC_ROUTES[`${method} ${path}`]) expect(operation.security, path).toEqual([]);
    else expect(operation.security[0], `${method} ${path}`).toEqual({ bearerAuth: [] });
  }
  const create = document.paths['/v1/customers'].post;
  expect(create.security).toEqual([{ bearerAuth: [] }, { apiKey: ['customers:write'] }]);
  expect(create['x-roles']).toEqual(['ADMIN', 'MANAGER']);
  expect(create.requestBody.content['application/json'].schema).toMatchObject({ type: 'object', required: ['name', 'email'], additionalProperties: false });
  expect(document.paths['/v1/users/{id}'].get.security).toEqual([{ bearerAuth: [] }]);
  const invoices = document.paths['/v1/invoices'].get.parameters.map((p: Json) => `${p.in}:${p.name}`);
  expect(invoices).toContain('query:customerId');
  expect(document.paths['/v1/invoices/{id}'].get.parameters[0]).toMatchObject({ name: 'id', in: 'path', required: true, schema: { pattern: '^inv_[0-9a-f]{32}$' } });
  expect(create.responses['403'].description).toContain('auth.scope_missing');
});

it('describes every webhook message type in its webhooks section', () => {
  expect(Object.keys(document.webhooks).sort()).toEqual([...WEBHOOK_EVENT_TYPES, 'webhook.test'].sort());
});
