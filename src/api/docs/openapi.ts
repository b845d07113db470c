import type Router from '@koa/router';
import { z } from 'zod';
import { PUBLIC_ROUTES, ROLES_ALLOWED, SCHEMAS, type ApiState, type DescribedSchemas, type ScopeOf } from '../http/index.js';

type Json = Record<string, unknown>;

/** Reasons any route may answer, beside its own: the access and request checks every request passes. */
const COMMON_REASONS: Readonly<Record<string, readonly string[]>> = {
  '400': ['request.invalid', 'request.malformed_json', 'request.unsafe_text', 'idempotency.invalid_key'],
  '401': ['auth.missing_token', 'auth.invalid_token', 'auth.user_inactive', 'auth.invalid_api_key', 'auth.api_key_revoked', 'auth.api_key_expired', 'auth.api_key_mode'],
  '403': ['auth.forbidden', 'auth.scope_missing', 'auth.key_not_allowed'],
  '409': ['idempotency.key_reused', 'idempotency.in_progress'],
  '429': ['request.rate_limited'],
};

const jsonSchema = (schema: z.ZodType): Json => {
  const { $schema: _drop, ...rest } = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as Json;
  return rest;
};

const openApiPath = (path: string) => path.replace(/:(\w+)/g, '{$1}');

const parametersOf = (schemas: DescribedSchemas, path: string): Json[] => {
  const names = [...path.matchAll(/:(\w+)/g)].map((m) => m[1]!);
  const params = schemas.params ? ((jsonSchema(schemas.params).properties ?? {}) as Record<string, Json>) : {};
  const query = schemas.query ? jsonSchema(schemas.query) : undefined;
  const required = new Set((query?.required as string[] | undefined) ?? []);
  return [
    ...names.map((name) => ({ name, in: 'path', required: true, schema: params[name] ?? { type: 'string' } })),
    ...Object.entries((query?.properties ?? {}) as Record<string, Json>).map(([name, schema]) => ({ name, in: 'query', required: required.has(name), schema })),
  ];
};

const errorResponse = (status: string, description: string): Json => ({
  description: `${description}. Reasons every route may give: ${(COMMON_REASONS[status] ?? []).join(', ') || 'the route\u2019s own'}.`,
  content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
});

export type OpenApiOptions = Readonly<{ router: Router<ApiState>; scopeOf: ScopeOf; version: string; webhookTypes: readonly string[] }>;

/**
 * The OpenAPI 3.1 document of the API, read off the router itself: every
 * route it serves, with the zod schemas its validation checks (as JSON
 * Schema, zod's own conversion), the roles its check lets in, and the scope
 * an API key needs; the public routes need no credential. What a route
 * answers is the envelope (`data`, or `error` with a stable `reason`).
 */
export const openApiDocument = ({ router, scopeOf, version, webhookTypes }: OpenApiOptions): Json => {
  const paths: Record<string, Record<string, Json>> = {};
  for (const layer of router.stack) {
    const path = String(layer.path);
    for (const method of layer.methods.filter((m) => m !== 'HEAD')) {
      const schemas = (layer.stack.find((mw) => SCHEMAS in mw) as unknown as Record<symbol, DescribedSchemas> | undefined)?.[SCHEMAS] ?? {};
      const roles = (layer.stack.find((mw) => ROLES_ALLOWED in mw) as unknown as Record<symbol, string[]> | undefined)?.[ROLES_ALLOWED];
      const isPublic = PUBLIC_ROUTES[`${method} ${path}`] !== undefined;
      const scope = scopeOf(method, path);
      const operation: Json = {
        operationId: `${method.toLowerCase()}${path.replace(/[^A-Za-z0-9]+(.)?/g, (_m, c: string | undefined) => (c ? c.toUpperCase() : ''))}`,
        tags: [path.split('/')[2] ?? 'system'],
        parameters: parametersOf(schemas, path),
        security: isPublic ? [] : [{ bearerAuth: [] }, ...(scope ? [{ apiKey: [scope] }] : [])],
        ...(roles && { 'x-roles': roles }),
        ...(!isPublic && { 'x-api-key-scope': scope ?? null }),
        responses: {
          [method === 'POST' ? '2XX' : '200']: {
            description: 'The envelope: `data`, and `position` where a command wrote',
            content: { 'application/json': { schema: { type: 'object', properties: { data: {}, position: { type: ['string', 'null'] } } } } },
          },
          '400': errorResponse('400', 'Refused input'),
          ...(!isPublic && { '401': errorResponse('401', 'No valid credential'), '403': errorResponse('403', 'Not allowed') }),
          '404': errorResponse('404', 'Not found'),
          '409': errorResponse('409', 'In conflict with the current state'),
          '429': errorResponse('429', 'Rate limited (Retry-After)'),
        },
      };
      if (schemas.body) operation.requestBody = { required: !schemas.body.safeParse(undefined).success, content: { 'application/json': { schema: jsonSchema(schemas.body) } } };
      (paths[openApiPath(path)] ??= {})[method.toLowerCase()] = operation;
    }
  }
  const message = (type: string): Json => ({
    post: {
      summary: type,
      description: 'Standard Webhooks: webhook-id, webhook-timestamp and webhook-signature (v1,<base64 HMAC-SHA256 of id.timestamp.body>) headers',
      requestBody: { content: { 'application/json': { schema: { $ref: '#/components/schemas/WebhookMessage' } } } },
      responses: { '2XX': { description: 'Received: any 2xx within 15 s; anything else is retried' } },
    },
  });
  return {
    openapi: '3.1.0',
    info: { title: 'billstream', version, description: 'Users, customers, contracts, plans, subscriptions and billing, event-sourced.' },
    servers: [{ url: '/' }],
    paths,
    webhooks: Object.fromEntries([...webhookTypes, 'webhook.test'].map((type) => [type, message(type)])),
    components: {
      securitySchemes: {
        bearerAuth: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT', description: 'An access token from POST /v1/auth/login (15 minutes)' },
        apiKey: { type: 'http', scheme: 'bearer', description: 'An API key, bsk_live_… or bsk_test_…; the scope each route needs is named in its security requirement' },
      },
      schemas: {
        Error: {
          type: 'object',
          required: ['error'],
          properties: {
            error: {
              type: 'object',
              required: ['code', 'message', 'requestId'],
              properties: {
                code: { type: 'string', description: 'VALIDATION_ERROR, AUTHENTICATION_ERROR, FORBIDDEN, NOT_FOUND, CONFLICT, PRECONDITION_FAILED, RATE_LIMITED, …' },
                reason: { type: 'string', description: 'Stable and dotted, such as invoice.payment_in_flight', pattern: '^[a-z_]+(\\.[a-z_]+)+$' },
                message: { type: 'string' },
                requestId: { type: 'string' },
                details: { type: 'object' },
              },
            },
          },
        },
        WebhookMessage: {
          type: 'object',
          required: ['type', 'timestamp', 'data'],
          properties: {
            type: { type: 'string', enum: [...webhookTypes, 'webhook.test'] },
            timestamp: { type: 'string', format: 'date-time' },
            data: {
              type: 'object',
              properties: {
                object: { type: 'string' },
                stream: { type: 'string' },
                revision: { type: 'string', description: 'The stream revision: keep the highest per stream, drop older' },
                position: { type: 'string', description: 'The global position, commit/prepare' },
                event: { type: 'string' },
                attributes: { type: 'object' },
              },
            },
          },
        },
      },
    },
  };
};
