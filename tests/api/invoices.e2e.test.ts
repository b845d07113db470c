import { randomBytes, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBilling } from '../../src/application/billing/billSubscription.js';
import { invoiceIdFor } from '../../src/application/invoice/invoiceIds.js';
import { invoiceNumberFor } from '../../src/application/invoice/numbering.js';
import { invoiceDecider, invoiceStreamName } from '../../src/domain/invoice/index.js';
import { formatPosition, handleCommand } from '../../src/eventstore/index.js';
import type { System } from '../../src/root/system.js';
import { createTestDatabase, type TestDatabase } from '../support/db.js';
import { expectEnvelope, http, startTestSystem, type Json } from './support.js';

let database: TestDatabase;
let system: System;
let api: ReturnType<typeof http>;
let admin: string;
let auditor: string;
let owner: { userId: string; token: string };
let stranger: { userId: string; token: string };
/** The owner's subscription billed for two periods, the stranger's for one, and a draft of the owner's. */
let mine: { customerId: string; subscriptionId: string; first: string; second: string; anchor: string; periodEnd: string };
let theirs: { customerId: string; subscriptionId: string; first: string };
let draftId: string;
/** Where the last write is: a list read with it sees everything above. */
let position: string;

const UNKNOWN = `inv_${'0'.repeat(32)}`;
const DRAFT_AT = '2020-01-01T00:00:00.000Z';
const origin = { actor: { id: 'system:billing' }, source: 'scheduler', correlationId: 'invoices-e2e' };

/** A customer, an ACTIVE contract and a subscription, over HTTP as the README's walk-through makes them. */
const subscribed = async (planId: string, ownerUserId: string) => {
  const as = { token: admin };
  const customerId = (await api.call('POST', '/v1/customers', { ...as, body: { name: 'Acme', email: 'billing@acme.test', ownerUserId } })).body.data.customerId;
  const contractId = (await api.call('POST', '/v1/contracts', { ...as, body: { customerId, title: 'Acme hosting' } })).body.data.contractId;
  await api.call('POST', `/v1/contracts/${contractId}/activate`, { ...as, body: {} });
  const sub = (await api.call('POST', '/v1/subscriptions', { ...as, body: { contractId, planId, quantity: 3 } })).body.data;
  return { customerId: customerId as string, subscriptionId: sub.subscriptionId as string, anchor: sub.billingAnchor as string, periodEnd: sub.currentPeriodEnd as string };
};

/** A draft, as the billing engine would create one for a customer who reviews drafts. */
const draft = async (customerId: string, subscriptionId: string) => {
  const invoiceId = `inv_${randomBytes(16).toString('hex')}`;
  const result = await handleCommand(system.store, invoiceStreamName(invoiceId), invoiceDecider, {
    type: 'CreateInvoice',
    data: {
      invoiceId, customerId, subscriptionId, currency: 'usd', draft: true, now: DRAFT_AT,
      lines: [{ type: 'plan_charge', itemKey: 'setup', description: 'Setup', quantity: 1, unitAmount: 5_000, amount: 5_000, currency: 'usd', period: { start: DRAFT_AT, end: '2020-02-01T00:00:00.000Z' } }],
      cause: { kind: 'period', periodStart: DRAFT_AT },
    },
  }, { correlationId: randomUUID(), actor: { id: 'usr_test' }, source: 'api', occurredAt: new Date(DRAFT_AT) });
  position = formatPosition(result.position!);
  return invoiceId;
};

beforeAll(async () => {
  database = await createTestDatabase();
  system = await startTestSystem(database);
  api = http(system);
  admin = (await api.userWithRole('ADMIN', 'inv-admin@example.com')).token;
  auditor = (await api.userWithRole('AUDITOR', 'inv-auditor@example.com')).token;
  owner = await api.userWithRole('USER', 'inv-owner@example.com');
  stranger = await api.userWithRole('USER', 'inv-stranger@example.com');
  const planId = (await api.call('POST', '/v1/plans', { token: admin, body: { name: 'Seats', pricingModel: 'per_unit', amount: 1_000, currency: 'usd', interval: 'month' } })).body.data.planId;
  const a = await subscribed(planId, owner.userId);
  const b = await subscribed(planId, stranger.userId);
  // The scheduler is not wired yet: the test bills, at instants of the subscriptions' own periods.
  let now = new Date(a.periodEnd);
  const billing = createBilling({ store: system.store, db: system.db, clock: { now: () => now } });
  await billing.billSubscription(a.subscriptionId, now, origin);
  now = new Date(b.anchor);
  await billing.billSubscription(b.subscriptionId, now, origin);
  mine = { ...a, first: invoiceIdFor(a.subscriptionId, `period:${a.anchor}`), second: invoiceIdFor(a.subscriptionId, `period:${a.periodEnd}`) };
  theirs = { ...b, first: invoiceIdFor(b.subscriptionId, `period:${b.anchor}`) };
  draftId = await draft(mine.customerId, mine.subscriptionId);
});
afterAll(async () => {
  await system?.stop();
  await database?.close();
});

const list = async (query: string, token = admin) => {
  const res = await api.call('GET', `/v1/invoices${query}`, { token, headers: { 'X-Min-Position': position } });
  expect(res.status, `${query}: ${JSON.stringify(res.body)}`).toBe(200);
  return res.body as { data: Json[]; page: { hasMore: boolean; nextCursor: string | null } };
};
const ids = async (query: string, token = admin) => (await list(query, token)).data.map((i) => i.invoiceId);
const post = (path: string, body: unknown = {}, token = admin, headers: Record<string, string> = {}) => api.call('POST', path, { token, body, headers });
const one = async (id: string) => (await api.call('GET', `/v1/invoices/${id}`, { token: admin })).body as { data: Json };
/** Each OPEN invoice of the set-up has its first attempt's result (collections run as jobs, after the billing that finalised them). */
const settled = () =>
  expect
    .poll(async () => Promise.all([mine.first, theirs.first, mine.second].map(async (id) => (await one(id)).data.payments.map((p: Json) => p.status))), { timeout: 15_000 })
    .toEqual([['FAILED'], ['FAILED'], ['FAILED']]);

describe('invoices over HTTP', () => {
  it('lists from the read model in period order, filtered by customer, subscription, status and period, a page at a time', async () => {
    // The draft bills 2020; the others bill from the subscriptions' anchors, the owner's made first.
    expect(await ids('')).toEqual([draftId, mine.first, theirs.first, mine.second]);
    expect(await ids(`?customerId=${mine.customerId}&status=OPEN`)).toEqual([mine.first, mine.second]);
    expect(await ids(`?subscriptionId=${theirs.subscriptionId}`)).toEqual([theirs.first]);
    expect(await ids('?status=DRAFT')).toEqual([draftId]);
    expect(await ids(`?periodTo=${encodeURIComponent('2021-01-01T00:00:00Z')}`)).toEqual([draftId]);
    expect(await ids(`?periodFrom=${encodeURIComponent(mine.periodEnd)}`)).toEqual([mine.second]);

    const walked: Json[] = [];
    let cursor: string | null = null;
    do {
      const page = await list(`?limit=1${cursor ? `&cursor=${cursor}` : ''}`);
      walked.push(...page.data);
      cursor = page.page.nextCursor;
    } while (cursor);
    expect(walked.map((i) => i.invoiceId)).toEqual(await ids(''));
    // Collections charge each OPEN invoice at once; these customers have no payment method, so each attempt fails there and then.
    await settled();
    // A list item is the invoice as GET folds it from its stream, its dunning included, without its payments; the list catches up with the stream.
    const singles = await Promise.all((await ids('')).map(async (id) => (await one(id)).data));
    expect(singles.filter((i) => i.dunning !== null)).toHaveLength(3);
    await expect.poll(async () => (await list('')).data, { timeout: 15_000 }).toEqual(singles.map(({ payments: _payments, ...rest }) => rest));

    for (const bad of ['?cursor=AAAA', '?status=PENDING', '?periodFrom=2026-02-01T00:00:00Z&periodTo=2026-01-01T00:00:00Z', '?customerId=cus_1']) {
      const res = await api.call('GET', `/v1/invoices${bad}`, { token: admin });
      expect(res.status, bad).toBe(400);
      expectEnvelope(res, bad);
    }
  });

  it('reads one invoice from its stream, with its lines, its payments and dunning, now and as it was at a revision or an instant', async () => {
    await settled();
    const now = await api.call('GET', `/v1/invoices/${mine.first}`, { token: auditor });
    expect(now.status).toBe(200);
    expect(now.headers.get('etag')).toBe('"3"');
    expect(now.body.data).toMatchObject({
      invoiceId: mine.first, number: expect.stringMatching(/^\d{4}-\d{6}$/), customerId: mine.customerId, subscriptionId: mine.subscriptionId,
      status: 'OPEN', currency: 'usd', subtotal: 3_000, tax: 0, total: 3_000, cause: { kind: 'period', periodStart: mine.anchor },
      lines: [{ type: 'plan_charge', itemKey: expect.any(String), description: expect.any(String), quantity: 3, unitAmount: 1_000, amount: 3_000, currency: 'usd', period: { start: mine.anchor, end: mine.periodEnd } }],
      revision: '3', finalizedAt: expect.any(String), voidedAt: null, paidAt: null, markedUncollectibleAt: null,
      payments: [{ attempt: 1, paymentMethod: null, status: 'FAILED', failureCode: 'no_payment_method', hard: true, chargeId: null, attemptedAt: expect.any(String), settledAt: expect.any(String) }],
      dunning: { attempts: 1, nextRetryAt: null, graceEndsAt: expect.any(String), stoppedAt: null, lastFailureCode: 'no_payment_method' },
    });
    // A hard decline: no retry, and grace (GRACE_PERIOD_DAYS, 30 by default) from the failure on.
    const { dunning, payments } = now.body.data;
    expect(Date.parse(dunning.graceEndsAt) - Date.parse(payments[0].settledAt)).toBe(30 * 86_400_000);
    const atZero = await api.call('GET', `/v1/invoices/${mine.first}?revision=0`, { token: admin });
    expect(atZero.body.data).toMatchObject({ status: 'DRAFT', number: null, finalizedAt: null, revision: '0' });
    expect(atZero.headers.get('etag')).toBeNull();
    expect((await api.call('GET', `/v1/invoices/${mine.first}?asOf=2000-01-01T00:00:00Z`, { token: admin })).status).toBe(404);
    expect((await api.call('GET', `/v1/invoices/${UNKNOWN}`, { token: admin })).body.error.reason).toBe('invoice.not_found');
  });

  it('shows a USER only the invoices of the customers it owns, with the same 404 for a foreign id as for an unknown one', async () => {
    expect(await ids('', owner.token)).toEqual(await ids(`?customerId=${mine.customerId}`));
    expect(await ids(`?customerId=${theirs.customerId}`, owner.token)).toEqual([]);
    expect(await ids('', stranger.token)).toEqual([theirs.first]);
    expect((await api.call('GET', `/v1/invoices/${mine.first}`, { token: owner.token })).status).toBe(200);
    for (const suffix of ['', '?revision=0']) {
      const foreign = await api.call('GET', `/v1/invoices/${theirs.first}${suffix}`, { token: owner.token });
      const unknown = await api.call('GET', `/v1/invoices/${UNKNOWN}${suffix}`, { token: owner.token });
      expect(foreign.status).toBe(404);
      expect({ ...foreign.body.error, requestId: null }).toEqual({ ...unknown.body.error, requestId: null });
    }
    for (const action of ['finalize', 'void']) {
      for (const token of [owner.token, auditor]) expect((await post(`/v1/invoices/${draftId}/${action}`, {}, token)).status).toBe(403);
    }
  });

  it('finalises a draft with a number, answers a repeat with the same invoice, and refuses a stale If-Match before taking a number', async () => {
    const stale = await post(`/v1/invoices/${draftId}/finalize`, {}, admin, { 'If-Match': '"7"' });
    expect(stale.status).toBe(412);
    expect(await system.db.selectFrom('billing.invoice_numbers').selectAll().where('invoice_id', '=', draftId).execute()).toEqual([]);

    const done = await post(`/v1/invoices/${draftId}/finalize`, undefined, admin, { 'If-Match': '"0"' });
    expect(done.status).toBe(200);
    expect(done.body.data).toMatchObject({ status: 'OPEN', number: expect.stringMatching(/^\d{4}-\d{6}$/), finalizedAt: expect.any(String), revision: '1' });
    expect(done.body.position).toEqual(expect.any(String));
    // The list below waits for the finalisation, not only for the draft's creation.
    position = done.body.position;
    const again = await post(`/v1/invoices/${draftId}/finalize`);
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ data: { number: done.body.data.number }, position: null });
    expect(await ids('?status=DRAFT')).not.toContain(draftId);
    expect((await post(`/v1/invoices/${UNKNOWN}/finalize`)).status).toBe(404);
  });

  it('voids with a reason; an illegal move is 409 with the status and the transitions it allows', async () => {
    const voided = await post(`/v1/invoices/${mine.second}/void`, { reason: 'billed by mistake' });
    expect(voided.status).toBe(200);
    expect(voided.body.data).toMatchObject({ status: 'VOID', voidedAt: expect.any(String), number: expect.stringMatching(/^\d{4}-\d{6}$/) });
    expect((await post(`/v1/invoices/${mine.second}/void`)).body.position).toBeNull();
    const refused = await post(`/v1/invoices/${mine.second}/finalize`);
    expect(refused.status).toBe(409);
    expect(refused.body.error).toMatchObject({ reason: 'invoice.invalid_transition', details: { status: 'VOID', allowedTransitions: [] } });
    expect((await post(`/v1/invoices/${mine.second}/void`, { reason: 'x', force: true })).status).toBe(400);

    // A draft voided has no number, and none is taken for it.
    const other = await draft(mine.customerId, mine.subscriptionId);
    expect((await post(`/v1/invoices/${other}/void`)).body.data).toMatchObject({ status: 'VOID', number: null, finalizedAt: null });
    expect((await post(`/v1/invoices/${other}/finalize`)).body.error.details).toEqual({ status: 'VOID', allowedTransitions: [] });
  });

  it('voids a draft holding a number (a finalisation that died before recording it) as a numbered invoice, leaving no gap', async () => {
    const held = await draft(mine.customerId, mine.subscriptionId);
    const at = new Date();
    const number = await invoiceNumberFor(system.db, held, at.getUTCFullYear(), at);
    const voided = await post(`/v1/invoices/${held}/void`, { reason: 'not wanted' });
    expect(voided.status).toBe(200);
    expect(voided.body.data).toMatchObject({ status: 'VOID', number, finalizedAt: expect.any(String), revision: '2' });
  });
});
