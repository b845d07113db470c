import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { bodyParser } from '@koa/bodyparser';
import Router from '@koa/router';
import Koa from 'koa';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { z } from 'zod';
import { createSilentLogger } from '../../src/logger/index.js';
import { errorMiddleware } from '../../src/api/http/errorMiddleware.js';
import { requestContext } from '../../src/api/http/requestContext.js';
import { validate } from '../../src/api/http/validate.js';
import type { ApiState } from '../../src/api/http/types.js';

let server: Server;
let base: string;
beforeAll(async () => {
  const logger = createSilentLogger();
  const app = new Koa<ApiState>();
  app.use(errorMiddleware(logger)).use(requestContext(logger)).use(bodyParser());
  const router = new Router<ApiState>();
  router.post(
    '/plans/:id/prices',
    validate({
      params: z.object({ id: z.string().startsWith('pln_') }),
      query: z.object({ dryRun: z.enum(['true', 'false']).optional() }),
      body: z.object({ amount: z.number().int().nonnegative(), currency: z.string().length(3) }),
    }),
    (ctx) => {
      ctx.body = { data: ctx.state.valid };
    },
  );
  app.use(router.routes());
  server = app.listen(0, '127.0.0.1');
  await new Promise((r) => server.once('listening', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

const post = (path: string, body: unknown) =>
  fetch(`${base}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

it('passes parsed params, query and body to the handler', async () => {
  const res = await post('/plans/pln_1/prices?dryRun=true', { amount: 1999, currency: 'EUR' });
  expect(res.status).toBe(200);
  expect(await res.json()).toEqual({
    data: { params: { id: 'pln_1' }, query: { dryRun: 'true' }, body: { amount: 1999, currency: 'EUR' } },
  });
});

it('reports every invalid field at once, by location and path, as a 400', async () => {
  const res = await post('/plans/cus_1/prices?dryRun=maybe', { amount: 19.99, currency: 'EURO' });
  expect(res.status).toBe(400);
  const { error } = (await res.json()) as { error: { code: string; reason: string; details: { fields: { location: string; path: string }[] } } };
  expect(error.code).toBe('VALIDATION_ERROR');
  expect(error.reason).toBe('request.invalid');
  expect(error.details.fields.map((f) => `${f.location}:${f.path}`).sort()).toEqual([
    'body:amount',
    'body:currency',
    'params:id',
    'query:dryRun',
  ]);
});
