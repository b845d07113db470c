import { z } from 'zod';
import { sql, type Kysely } from 'kysely';
import {
  endpointExists,
  endpointInput,
  endpointPatch,
  presentEndpoint,
  replayInput,
  rotateInput,
  type WebhookEndpoints,
} from '../../application/webhook/index.js';
import { ID, idOf } from '../../application/shared/index.js';
import type { Database } from '../../db/index.js';
import { NotFoundError } from '../../domain/shared/index.js';
import { createRouter, int8Cursor, keysetCursor, page, requireRole, validate } from '../http/index.js';
import { answerWith, askOf, manages, noBody } from '../shared/index.js';

export type WebhookRoutesDeps = Readonly<{ db: Kysely<Database>; endpoints: WebhookEndpoints }>;

const notFound = () => new NotFoundError('webhook_endpoint.not_found', 'the webhook endpoint does not exist');
const answer = answerWith(endpointExists, presentEndpoint, notFound);
const params = z.object({ id: idOf('webhookEndpoint') });
const cursor = keysetCursor((k) => ID.webhookEndpoint.test(k));
const listQuery = z.object({ limit: z.coerce.number().int().min(1).max(100).default(20), cursor: cursor.schema.optional() }).strict();
const attemptsQuery = z.object({ limit: z.coerce.number().int().min(1).max(100).default(20), cursor: int8Cursor.optional() }).strict();
/** The delivery log is read by those who manage endpoints, and by auditors. */
const readsLog = requireRole('ADMIN', 'MANAGER', 'AUDITOR');

/**
 * Outbound webhook endpoints, for ADMIN and MANAGER: made with a `whsec_`
 * secret, changed, disabled and enabled, their secret rotated, their messages
 * replayed from a position, a test message sent, and their delivery log read.
 */
export const webhookRoutes = (deps: WebhookRoutesDeps) => {
  const router = createRouter('/v1/webhook-endpoints');
  const commands = deps.endpoints;

  router.post('/', manages, validate({ body: endpointInput }), async (ctx) => {
    const made = await commands.create(ctx.state.valid.body, askOf(ctx));
    answer(ctx, made, true);
    Object.assign(ctx.body as object, { secret: made.secret });
    // Not kept with an Idempotency-Key's answer: GET …/secret shows it again.
    ctx.state.shownOnce = ['secret'];
  });

  router.get('/', manages, validate({ query: listQuery }), async (ctx) => {
    const { limit, cursor: after } = ctx.state.valid.query;
    const rows = await deps.db
      .selectFrom('read.webhook_endpoints')
      .selectAll()
      .$if(after !== undefined, (q) => q.where('endpoint_id', '>', after!))
      .orderBy('endpoint_id')
      .limit(limit + 1)
      .execute();
    ctx.body = page(rows, limit, (r) => cursor.encode(r.endpoint_id), (r) => ({
      endpointId: r.endpoint_id,
      url: r.url,
      eventTypes: r.event_types,
      description: r.description,
      enabled: r.enabled,
      disabledReason: r.disabled_reason,
      createdBy: r.created_by,
      createdAt: new Date(r.created_at).toISOString(),
      updatedAt: new Date(r.updated_at).toISOString(),
      revision: r.revision,
    }));
  });

  router.get('/:id', manages, validate({ params }), async (ctx) => {
    const { state, revision } = await commands.current(ctx.state.valid.params.id);
    if (!endpointExists(state) || revision === undefined) throw notFound();
    ctx.body = { data: presentEndpoint(state, revision) };
  });

  router.patch('/:id', manages, validate({ params, body: endpointPatch }), async (ctx) => {
    answer(ctx, await commands.update(ctx.state.valid.params.id, ctx.state.valid.body, askOf(ctx)));
  });
  router.post('/:id/disable', manages, validate({ params, body: noBody }), async (ctx) => {
    answer(ctx, await commands.disable(ctx.state.valid.params.id, askOf(ctx)));
  });
  router.post('/:id/enable', manages, validate({ params, body: noBody }), async (ctx) => {
    answer(ctx, await commands.enable(ctx.state.valid.params.id, askOf(ctx)));
  });

  /** A new secret; the old one is still signed with, beside it, until `previousExpiresAt` (a day unless said). */
  router.post('/:id/rotate-secret', manages, validate({ params, body: rotateInput }), async (ctx) => {
    const rotated = await commands.rotate(ctx.state.valid.params.id, ctx.state.valid.body, askOf(ctx));
    answer(ctx, rotated);
    Object.assign(ctx.body as object, { secret: rotated.secret });
    ctx.state.shownOnce = ['secret'];
  });
  router.get('/:id/secret', manages, validate({ params }), async (ctx) => {
    ctx.body = { data: { secret: await commands.secretOf(ctx.state.valid.params.id) } };
  });

  router.post('/:id/replay', manages, validate({ params, body: replayInput }), async (ctx) => {
    ctx.status = 202;
    ctx.body = { data: await commands.replay(ctx.state.valid.params.id, ctx.state.valid.body.fromPosition) };
  });
  router.post('/:id/test', manages, validate({ params, body: noBody }), async (ctx) => {
    ctx.status = 202;
    ctx.body = { data: await commands.sendTest(ctx.state.valid.params.id) };
  });

  /** The delivery log, newest first: each attempt's message, status, duration, and bodies (kept for the retention, then emptied). */
  router.get('/:id/attempts', readsLog, validate({ params, query: attemptsQuery }), async (ctx) => {
    const { limit, cursor } = ctx.state.valid.query;
    const rows = await deps.db
      .selectFrom('webhooks.attempts as a')
      .innerJoin('webhooks.messages as m', 'm.message_id', 'a.message_id')
      .select(['a.attempt_id', 'a.message_id', 'm.type', 'a.attempt', 'a.status_code', 'a.error', 'a.duration_ms', 'a.request_body', 'a.response_body', 'a.attempted_at'])
      .where('a.endpoint_id', '=', ctx.state.valid.params.id)
      .$if(cursor !== undefined, (q) => q.where(sql<boolean>`a.attempt_id < ${cursor!}::bigint`))
      .orderBy('a.attempt_id', 'desc')
      .limit(limit + 1)
      .execute();
    ctx.body = page(rows, limit, (r) => String(r.attempt_id), (r) => ({
      messageId: r.message_id,
      type: r.type,
      attempt: r.attempt,
      statusCode: r.status_code,
      error: r.error,
      durationMs: r.duration_ms,
      requestBody: r.request_body,
      responseBody: r.response_body,
      attemptedAt: new Date(r.attempted_at).toISOString(),
    }));
  });

  return router;
};
