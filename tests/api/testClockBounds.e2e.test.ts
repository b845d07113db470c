import { Temporal } from 'temporal-polyfill';
import { describe, expect, it } from 'vitest';
import { onSimulatedClock } from './simulatedClock.js';

/** One advance covers at most 24 months here: the bound is configurable, and a short one keeps the test short. */
const clock = onSimulatedClock('2029-01-15T10:00:00.000Z', 'bounds-manager@example.com', { CLOCK_MAX_ADVANCE_MONTHS: '24' });

const advanceLines = async (body: unknown, signal?: AbortSignal) =>
  fetch(`${clock.system.url}/v1/test/clock/advance`, {
    method: 'POST',
    headers: { authorization: `Bearer ${clock.manager}`, 'content-type': 'application/json', accept: 'application/x-ndjson' },
    body: JSON.stringify(body),
    ...(signal && { signal }),
  });

/** The lines of an NDJSON answer, each parsed as it arrives; `onLine` may stop the reading. */
const readLines = async (res: Response, onLine: (line: Record<string, unknown>) => boolean | void = () => undefined) => {
  const lines: Record<string, unknown>[] = [];
  const decoder = new TextDecoder();
  let buffered = '';
  for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
    buffered += decoder.decode(chunk, { stream: true });
    for (let at = buffered.indexOf('\n'); at >= 0; at = buffered.indexOf('\n')) {
      const line = JSON.parse(buffered.slice(0, at)) as Record<string, unknown>;
      buffered = buffered.slice(at + 1);
      lines.push(line);
      if (onLine(line) === true) return lines;
    }
  }
  return lines;
};

describe('the test clock: bounded, one advance at a time, streamed', () => {
  it('has a subscription billed monthly to advance over', async () => {
    const plan = await clock.post('/v1/plans', { name: 'Basic', pricingModel: 'flat_rate', amount: 3_000, currency: 'usd', interval: 'month' });
    const customer = await clock.post('/v1/customers', { name: 'Acme', email: 'ap@bounds.example' });
    await clock.post(`/v1/customers/${customer.customerId}/payment-method`, { paymentMethod: 'pm_ok' });
    const contract = await clock.post('/v1/contracts', { customerId: customer.customerId, title: 'Hosting' });
    await clock.post(`/v1/contracts/${contract.contractId}/activate`);
    await clock.post('/v1/subscriptions', { contractId: contract.contractId, planId: plan.planId });
  });

  it('refuses an advance beyond CLOCK_MAX_ADVANCE_MONTHS before anything moves', async () => {
    const before = (await clock.get('/v1/test/clock')).now;
    for (const body of [{ months: 12_000 }, { months: 25 }, { days: 800 }, { to: '2031-02-16T10:00:00.000Z' }]) {
      const refused = await clock.api.call('POST', '/v1/test/clock/advance', { token: clock.manager, body });
      expect(refused.status, JSON.stringify(body)).toBe(400);
      expect(refused.body.error).toMatchObject({ reason: 'clock.advance_too_far', details: { maxSpanMonths: 24 } });
    }
    expect(await clock.get('/v1/test/clock')).toEqual({ now: before, mode: 'simulated', maxAdvanceMonths: 24 });
  });

  it('runs concurrent advances one after the other, each answering with its own span and stops', async () => {
    const start = (await clock.get('/v1/test/clock')).now as string;
    const answers = await Promise.all([clock.post('/v1/test/clock/advance', { days: 40 }), clock.post('/v1/test/clock/advance', { days: 40 })]);
    const [first, second] = answers.sort((a, b) => a.from.localeCompare(b.from));
    const day = 86_400_000;
    expect(first.from).toBe(start);
    expect(Date.parse(first.now) - Date.parse(first.from)).toBe(40 * day);
    expect(second.from).toBe(first.now);
    expect(Date.parse(second.now) - Date.parse(second.from)).toBe(40 * day);
    for (const answer of [first, second]) {
      expect(answer.completed).toBe(true);
      expect(answer.stops.every((s: string) => s >= answer.from && s <= answer.now)).toBe(true);
      expect(answer.invoiceCount).toBe(answer.invoices.length);
    }
    expect(first.invoiceCount + second.invoiceCount).toBeGreaterThanOrEqual(2);
  });

  it('streams its progress as JSON lines, then its summary', async () => {
    const res = await advanceLines({ months: 3 });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('application/x-ndjson');
    const lines = await readLines(res);
    const last = lines.at(-1) as { data: { completed: boolean; stopCount: number; invoiceCount: number } };
    expect(last.data).toMatchObject({ completed: true, invoiceCount: 3 });
    const progress = lines.slice(0, -1).map((l) => l.progress as { fraction: number; stops: number });
    expect(progress.length).toBeGreaterThanOrEqual(1);
    expect(progress.at(-1)).toMatchObject({ fraction: 1, stops: last.data.stopCount });
  });

  it('refuses an Idempotency-Key on a streamed advance, whose answer could not be kept, before anything moves', async () => {
    const before = (await clock.get('/v1/test/clock')).now;
    const res = await fetch(`${clock.system.url}/v1/test/clock/advance`, {
      method: 'POST',
      headers: { authorization: `Bearer ${clock.manager}`, 'content-type': 'application/json', accept: 'application/x-ndjson', 'idempotency-key': 'advance-once' },
      body: JSON.stringify({ days: 30 }),
    });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: { reason: string } }).error.reason).toBe('clock.idempotency_key_with_stream');
    expect((await clock.get('/v1/test/clock')).now).toBe(before);
  });

  it('stops at the instant it is at when its client goes away, and the next advance starts from there', async () => {
    const start = Date.parse((await clock.get('/v1/test/clock')).now);
    const client = new AbortController();
    const res = await advanceLines({ months: 24 }, client.signal);
    await readLines(res, () => true).catch(() => undefined);
    client.abort();
    // Queued behind the abandoned advance: it starts where that one stopped.
    const next = await clock.post('/v1/test/clock/advance', { days: 0 });
    // It went on for the instant in progress when the client left, a month or two: far from the 24 asked for.
    const twoMonthsOn = Temporal.Instant.fromEpochMilliseconds(start).toZonedDateTimeISO('UTC').add({ months: 2 }).epochMilliseconds;
    expect(Date.parse(next.from)).toBeGreaterThan(start);
    expect(Date.parse(next.from)).toBeLessThanOrEqual(twoMonthsOn);
    expect((await clock.get('/v1/test/clock')).now).toBe(next.now);
  });

  it('asks all the triggers at once what is due at each stop, and runs only those with work: here the billing run, no other', async () => {
    // Every run of a trigger takes its lease, and every grant has the next fencing token.
    const fencing = async () =>
      Object.fromEntries((await clock.system.db.selectFrom('scheduler.leases').select(['name', 'fencing']).execute()).map((r) => [r.name, Number(r.fencing)]));
    const before = await fencing();
    const advanced = await clock.post('/v1/test/clock/advance', { months: 3 });
    const after = await fencing();
    expect(Object.keys(after).filter((name) => after[name] !== before[name])).toEqual(['billing-run']);
    // Three monthly periods billed, one run each; and no run at the stop it started from, where the last advance ended.
    expect(advanced.invoiceCount).toBe(3);
    expect(after['billing-run']! - before['billing-run']!).toBe(3);
    expect(advanced.stopCount).toBeGreaterThan(3);
  });
});
