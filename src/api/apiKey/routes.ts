import { z } from 'zod';
import type { Kysely } from 'kysely';
import { apiKeyExists, apiKeyInput, apiKeys, lastUsedOf, presentApiKey, rollInput, type ApiKeyCommands, type ExistingApiKey } from '../../application/apiKey/index.js';
import { ID, idOf } from '../../application/shared/index.js';
import type { Database } from '../../db/index.js';
import { displayText, NotFoundError } from '../../domain/shared/index.js';
import type { EventStore } from '../../eventstore/index.js';
import type { ProjectionRunner } from '../../projections/runtime/index.js';
import { STREAMS_PROJECTION } from '../../projections/stream/index.js';
import { createRouter, validate } from '../http/index.js';
import { askOf, etag, manages, minPosition, setPosition, streamList, type Ctx } from '../shared/index.js';

export type ApiKeyRoutesDeps = Readonly<{ db: Kysely<Database>; store: EventStore; apiKeys: ApiKeyCommands; projections: ProjectionRunner; waitMs: number }>;

const notFound = () => new NotFoundError('api_key.not_found', 'the API key does not exist');
const params = z.object({ id: idOf('apiKey') });
const revokeInput = z.object({ reason: displayText(500).optional() }).strict();

/** A key's data; with `key`, the whole key, this once (an Idempotency-Key's replay has it null). */
const answer = async (ctx: Ctx, deps: ApiKeyRoutesDeps, state: ExistingApiKey, revision: bigint, position: Parameters<typeof setPosition>[1], key?: string) => {
  const lastUsed = await lastUsedOf(deps.db, [state.keyId]);
  ctx.set('ETag', etag(revision));
  ctx.body = { data: presentApiKey(state, revision, lastUsed.get(state.keyId)), position: setPosition(ctx, position), ...(key !== undefined && { key }) };
  if (key !== undefined) {
    ctx.status = 201;
    ctx.state.shownOnce = ['key'];
  }
};

/**
 * API keys, for ADMIN and MANAGER signed in as themselves (no key reaches
 * these routes). The whole key is in the answer that makes it, and nowhere
 * else, ever: lists and reads show its prefix.
 */
export const apiKeyRoutes = (deps: ApiKeyRoutesDeps) => {
  const router = createRouter('/v1/api-keys');
  const list = streamList(deps, { aggregate: apiKeys, isExisting: apiKeyExists, present: presentApiKey, category: 'api_key', id: ID.apiKey });

  router.post('/', manages, validate({ body: apiKeyInput }), async (ctx) => {
    const made = await deps.apiKeys.create(ctx.state.valid.body, askOf(ctx));
    if (!apiKeyExists(made.newState) || made.nextExpectedRevision === undefined) throw notFound();
    await answer(ctx, deps, made.newState, made.nextExpectedRevision, made.position, made.token);
  });

  router.get('/', manages, minPosition(deps.projections, [STREAMS_PROJECTION], deps.waitMs), validate({ query: list.query }), async (ctx) => {
    await list.answer(ctx, ctx.state.valid.query);
    const body = ctx.body as { data: ReturnType<typeof presentApiKey>[] };
    const lastUsed = await lastUsedOf(deps.db, body.data.map((k) => k.keyId));
    body.data = body.data.map((k) => ({ ...k, lastUsedAt: lastUsed.get(k.keyId)?.toISOString() ?? null }));
  });

  router.get('/:id', manages, validate({ params }), async (ctx) => {
    const { state, revision } = await deps.apiKeys.current(ctx.state.valid.params.id);
    if (!apiKeyExists(state) || revision === undefined) throw notFound();
    await answer(ctx, deps, state, revision, undefined);
  });

  router.post('/:id/revoke', manages, validate({ params, body: revokeInput }), async (ctx) => {
    const result = await deps.apiKeys.revoke(ctx.state.valid.params.id, ctx.state.valid.body.reason, askOf(ctx));
    if (!apiKeyExists(result.newState) || result.nextExpectedRevision === undefined) throw notFound();
    await answer(ctx, deps, result.newState, result.nextExpectedRevision, result.position);
  });

  /** The new key, shown this once; the old one works on until the `expiresAt` asked (now by default). */
  router.post('/:id/roll', manages, validate({ params, body: rollInput }), async (ctx) => {
    const made = await deps.apiKeys.roll(ctx.state.valid.params.id, ctx.state.valid.body, askOf(ctx));
    if (!apiKeyExists(made.newState) || made.nextExpectedRevision === undefined) throw notFound();
    await answer(ctx, deps, made.newState, made.nextExpectedRevision, made.position, made.token);
  });

  return router;
};
