import type { Kysely } from 'kysely';
import type { Logger } from 'winston';
import type { Clock } from '../../clock/index.js';
import type { Database } from '../../db/index.js';
import { postWebhook, BODY_LIMIT } from './outbound.js';
import { signatureOf, signingSecrets } from './signing.js';

/** After attempt n fails, the next comes this much later (Svix's schedule): 8 attempts in all, the first at once. */
export const RETRY_DELAYS_MS = [5_000, 300_000, 1_800_000, 7_200_000, 18_000_000, 36_000_000, 36_000_000] as const;
export const MAX_ATTEMPTS = RETRY_DELAYS_MS.length + 1;
/** An endpoint that has failed every attempt for this long is disabled. */
export const FAILING_DISABLES_AFTER_MS = 5 * 86_400_000;

export type DeliveryDeps = Readonly<{
  db: Kysely<Database>;
  /** The domain's clock: retries and the five days of failure follow it (a simulated clock's, under simulation). */
  clock: Clock;
  /** The wall's: the signature's timestamp, which the receiver checks against its own clock, and the secrets' overlap. */
  wall: Clock;
  logger: Logger;
  allowPrivate: boolean;
  timeoutMs: number;
  /** Disables an endpoint that has failed everything for five days, and tells its maker. */
  disableFailing: (endpointId: string, failingSince: Date) => Promise<void>;
  /**
   * Set when the domain runs on the wall clock: a failure asks for its retry
   * at once, to start at its instant (the trigger's sweep, each minute, is
   * then only a safety net), and a retry late by a downtime counts its
   * successor from when it ran, not from when it was due.
   */
  scheduleRetry?: (endpointId: string, messageId: string, attempt: number, dueAt: Date) => Promise<unknown>;
}>;

export type AttemptOutcome = 'delivered' | 'failed' | 'exhausted' | 'skipped';

/** A delivery as an attempt needs it: its state, its message's payload, and its endpoint. */
export const deliveriesOf = (db: Kysely<Database>) =>
  db
    .selectFrom('webhooks.deliveries as d')
    .innerJoin('webhooks.messages as m', 'm.message_id', 'd.message_id')
    .innerJoin('read.webhook_endpoints as e', 'e.endpoint_id', 'd.endpoint_id')
    .select(['d.message_id', 'd.status', 'd.attempts', 'd.next_attempt_at', 'm.payload', 'e.url', 'e.enabled']);

export type DeliveryRow = Awaited<ReturnType<ReturnType<typeof deliveriesOf>['execute']>>[number];

/**
 * One attempt of one delivery: signed anew, sent, logged, and the delivery
 * moved on (delivered, failed with its next try, or exhausted). `attempt` is
 * the number this attempt must be: one already made, by a run that raced
 * this one, is not made again.
 *
 * `known`: the delivery as a drain just read it with its page (a page is
 * read at once, so an endpoint disabled meanwhile is sent at most the rest
 * of the page); unset, read here. `records`: the attempt's record is pushed
 * there instead of awaited, so a drain sends the next message while it is
 * written; the drain awaits them all before it reads the next page (a crash
 * before then sends the unrecorded ones again, under their webhook-ids).
 */
export const attemptDelivery = async (
  deps: DeliveryDeps,
  endpointId: string,
  messageId: string,
  attempt: number,
  known?: DeliveryRow,
  records?: Promise<unknown>[],
): Promise<AttemptOutcome> => {
  const found = known ?? (await deliveriesOf(deps.db).where('d.endpoint_id', '=', endpointId).where('d.message_id', '=', messageId).executeTakeFirst());
  if (!found || !found.enabled || found.attempts !== attempt - 1 || found.status === 'delivered' || found.status === 'exhausted') return 'skipped';
  const body = JSON.stringify(found.payload);
  const wallNow = deps.wall.now();
  const timestamp = Math.floor(wallNow.getTime() / 1000);
  const secrets = await secretsOf(deps, endpointId, wallNow);
  const sent = await postWebhook(
    found.url,
    { 'webhook-id': messageId, 'webhook-timestamp': String(timestamp), 'webhook-signature': signatureOf(secrets, messageId, timestamp, body) },
    body,
    { timeoutMs: deps.timeoutMs, allowPrivate: deps.allowPrivate },
  );
  const ok = sent.status !== undefined && sent.status >= 200 && sent.status < 300;
  const now = deps.clock.now();
  const outcome = ok ? 'delivered' : attempt >= MAX_ATTEMPTS ? 'exhausted' : 'failed';
  // The schedule counts from when each retry was due, not from when its job ran: on a simulated clock that has moved on
  // meanwhile (it never waits for deliveries), the retries still fall where they would have.
  const due = attempt > 1 && found.next_attempt_at ? new Date(found.next_attempt_at) : now;
  const scheduledAt = deps.scheduleRetry && due < now ? now : due;
  const nextAt = outcome === 'failed' ? new Date(scheduledAt.getTime() + RETRY_DELAYS_MS[attempt - 1]!) : null;
  const record = recordAttempt(deps, { endpointId, messageId, attempt, body, sent, ok, now, outcome, nextAt });
  // Settled here, never left rejected: the drain looks at the outcomes together (a failure among them fails its job).
  if (records) records.push(record.then(() => undefined, (err: unknown) => err));
  else await record;
  return outcome;
};

type Attempted = Readonly<{
  endpointId: string;
  messageId: string;
  attempt: number;
  body: string;
  sent: Awaited<ReturnType<typeof postWebhook>>;
  ok: boolean;
  now: Date;
  outcome: Exclude<AttemptOutcome, 'skipped'>;
  nextAt: Date | null;
}>;

const recordAttempt = async (deps: DeliveryDeps, { endpointId, messageId, attempt, body, sent, ok, now, outcome, nextAt }: Attempted): Promise<void> => {
  // The log's row and the delivery's move in one statement: both or neither.
  await deps.db
    .with('logged', (db) =>
      db.insertInto('webhooks.attempts').values({
        endpoint_id: endpointId,
        message_id: messageId,
        attempt,
        status_code: sent.status ?? null,
        error: sent.error ?? null,
        duration_ms: sent.durationMs,
        request_body: body.slice(0, BODY_LIMIT),
        response_body: sent.body,
        attempted_at: now,
      }),
    )
    .updateTable('webhooks.deliveries')
    .set({
      status: outcome,
      attempts: attempt,
      last_attempt_at: now,
      last_status: sent.status ?? null,
      next_attempt_at: nextAt,
    })
    .where('endpoint_id', '=', endpointId)
    .where('message_id', '=', messageId)
    .where('attempts', '=', attempt - 1)
    .execute();
  if (nextAt && deps.scheduleRetry) await deps.scheduleRetry(endpointId, messageId, attempt + 1, nextAt);
  // An endpoint that keeps answering needs its health written once every HEALTH_WRITE_MS, not at every success: often
  // enough that a failure another process recorded is cleared long before it could count towards five days.
  const wrote = healthy.get(endpointId);
  if (ok && wrote !== undefined && Date.now() - wrote < HEALTH_WRITE_MS) return;
  const failingSince = await recordHealth(deps, endpointId, ok, now);
  if (ok) healthy.set(endpointId, Date.now());
  else healthy.delete(endpointId);
  if (failingSince && now.getTime() - failingSince.getTime() >= FAILING_DISABLES_AFTER_MS) await deps.disableFailing(endpointId, failingSince);
};

/** Endpoints whose last attempt from this process succeeded, and when that was last written to their health row. */
const healthy = new Map<string, number>();
const HEALTH_WRITE_MS = 10_000;

/** Secrets read at most once a second per endpoint: a rotation shows within a second. */
const SECRETS_FOR_MS = 1_000;
const secretsCache = new Map<string, { at: number; secrets: string[] }>();
const secretsOf = async (deps: DeliveryDeps, endpointId: string, now: Date): Promise<string[]> => {
  const cached = secretsCache.get(endpointId);
  if (cached && now.getTime() - cached.at < SECRETS_FOR_MS && cached.at <= now.getTime()) return cached.secrets;
  const secrets = await signingSecrets(deps.db, endpointId, now);
  secretsCache.set(endpointId, { at: now.getTime(), secrets });
  return secrets;
};

/** Since when the endpoint has failed everything, or undefined once it answers. */
const recordHealth = async (deps: DeliveryDeps, endpointId: string, ok: boolean, now: Date): Promise<Date | undefined> => {
  const row = await deps.db
    .insertInto('webhooks.endpoint_health')
    .values({ endpoint_id: endpointId, failing_since: ok ? null : now, last_success_at: ok ? now : null })
    .onConflict((oc) =>
      oc.column('endpoint_id').doUpdateSet((eb) =>
        ok ? { failing_since: null, last_success_at: now } : { failing_since: eb.fn.coalesce('webhooks.endpoint_health.failing_since', eb.val(now)) },
      ),
    )
    .returning('failing_since')
    .executeTakeFirst();
  return row?.failing_since ? new Date(row.failing_since) : undefined;
};
