import { createRequire } from 'node:module';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type Router from '@koa/router';
import { createRouter, type ApiState } from '../http/index.js';

const swaggerUi = path.dirname(createRequire(import.meta.url).resolve('swagger-ui-dist/package.json'));

const PAGE = `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>billstream API</title><link rel="stylesheet" href="/docs/swagger-ui.css"></head>
<body><div id="reference"></div><script src="/docs/swagger-ui-bundle.js"></script><script src="/docs/init.js"></script></body>
</html>`;
const INIT = `window.ui = SwaggerUIBundle({ url: '/openapi.json', dom_id: '#reference', deepLinking: true });`;

/** Inline styles are Swagger UI's own; scripts come only from here. */
const CSP = "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; script-src 'self'; connect-src 'self'";

/**
 * `/openapi.json`, the document, and `/docs`, a reference page (Swagger UI)
 * served from node_modules, never a CDN. Both public: they describe, and
 * answer nothing about anyone.
 */
export const docsRoutes = (document: () => unknown): Router<ApiState> => {
  const router = createRouter();
  const files = new Map<string, Promise<Buffer>>();
  const file = (name: string) => {
    if (!files.has(name)) files.set(name, readFile(path.join(swaggerUi, name)));
    return files.get(name)!;
  };
  let cached: string | undefined;
  router.get('/openapi.json', (ctx) => {
    ctx.type = 'application/json';
    ctx.body = cached ??= JSON.stringify(document());
  });
  router.get('/docs', (ctx) => {
    ctx.set('Content-Security-Policy', CSP);
    ctx.type = 'text/html';
    ctx.body = PAGE;
  });
  router.get('/docs/init.js', (ctx) => {
    ctx.type = 'application/javascript';
    ctx.body = INIT;
  });
  router.get('/docs/swagger-ui.css', async (ctx) => {
    ctx.type = 'text/css';
    ctx.set('Cache-Control', 'public, max-age=3600');
    ctx.body = await file('swagger-ui.css');
  });
  router.get('/docs/swagger-ui-bundle.js', async (ctx) => {
    ctx.type = 'application/javascript';
    ctx.set('Cache-Control', 'public, max-age=3600');
    ctx.body = await file('swagger-ui-bundle.js');
  });
  return router;
};
