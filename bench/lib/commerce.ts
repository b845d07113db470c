/**
 * Per-command latency of the commerce API (plans, customers, contracts,
 * subscriptions) for bench/http.ts: each command sent sequentially on one
 * keep-alive connection, N times, each time followed by a baseline request of
 * its kind in the same loop (`PATCH /v1/users/:id/role` after a command, `GET
 * /v1/users/:id` after a read), so each figure has a baseline taken under the
 * same load on this shared machine. The baselines alone open and close the run.
 *
 * A command that needs a resource in a given state (a DRAFT contract to
 * activate, an ACTIVE subscription to pause...) gets a fresh one per
 * iteration, made before the timed loop on other connections; then the bench
 * waits for every read model and the contract cascades to pass a marker
 * write, so their catching up does not land in the loop. Commands that can
 * repeat (PATCH, credits, change-quantity) cycle over pools of 50, as the
 * baseline cycles over its 50 users.
 */
import http from 'node:http';
import { randomBytes } from 'node:crypto';

export type CommerceOptions = Readonly<{
  /** Timed iterations per command. */
  iterations: number;
  /** Untimed iterations first, per command. */
  warmUp: number;
  log: (line: string) => void;
}>;

type Kind = 'command' | 'read';

export type CommerceRow = Readonly<{
  group: string;
  label: string;
  kind: Kind;
  /** Of 2xx answers, sorted, in ms. */
  latencies: readonly number[];
  /** Every other outcome: status, or 'error' / a check that failed; the paired baseline's as `baseline <status>`. */
  problems: Readonly<Record<string, number>>;
  /** p50 of the baseline of the same kind, sent after this request in each iteration of the same loop. */
  baselineP50?: number;
}>;

export type CommerceResult = Readonly<{
  iterations: number;
  warmUp: number;
  rows: readonly CommerceRow[];
}>;

type Req = Readonly<{ method: 'GET' | 'POST' | 'PATCH'; path: string; body?: unknown; headers?: Record<string, string> }>;
type Answer = Readonly<{ status: number; ms: number; text: string; headers: http.IncomingHttpHeaders }>;
/** One timed outcome: its time, and what it counts as ('2xx' or a problem). */
type Sample = Readonly<{ ms: number; outcome: string }>;

const POOL = 50;
const SETUP_CONNECTIONS = 4;

/** Plain node:http with a keep-alive agent of `sockets` connections: less in the way than fetch. */
const connect = (base: string, token: string, sockets: number) => {
  const agent = new http.Agent({ keepAlive: true, maxSockets: sockets });
  const { hostname, port } = new URL(base);
  const send = ({ method, path, body, headers }: Req): Promise<Answer> =>
    new Promise((resolve, reject) => {
      const payload = body === undefined ? undefined : JSON.stringify(body);
      const all: Record<string, string | number> = {
        authorization: `Bearer ${token}`,
        ...(payload !== undefined && { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) }),
        ...headers,
      };
      const start = performance.now();
      const req = http.request({ agent, hostname, port, method, path, headers: all }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', reject);
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, ms: performance.now() - start, text: Buffer.concat(chunks).toString('utf8'), headers: res.headers }),
        );
      });
      req.setTimeout(10_000, () => req.destroy(new Error(`timeout: ${method} ${path}`)));
      req.on('error', reject);
      req.end(payload);
    });
  return { send, close: () => agent.destroy() };
};

type Client = ReturnType<typeof connect>;
type Data = Record<string, unknown>;

const ok2xx = (status: number) => status >= 200 && status < 300;

/** A setup request that must succeed; answers `{ data, position }`. */
const must = async (client: Client, req: Req): Promise<{ data: Data; position: string | null }> => {
  const answer = await client.send(req);
  if (!ok2xx(answer.status)) throw new Error(`setup ${req.method} ${req.path} answered ${answer.status}: ${answer.text.slice(0, 300)}`);
  return JSON.parse(answer.text) as { data: Data; position: string | null };
};

/** `count` calls of `f`, `width` at a time, results in index order. */
const inParallel = async <T>(count: number, width: number, f: (i: number) => Promise<T>): Promise<T[]> => {
  const out = new Array<T>(count);
  let next = 0;
  const worker = async () => {
    while (next < count) {
      const i = next++;
      out[i] = await f(i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(width, count) }, worker));
  return out;
};

const percentile = (sorted: readonly number[], q: number): number =>
  sorted.length === 0 ? Number.NaN : sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]!;

type Spec<T> = Readonly<{
  label: string;
  kind: Kind;
  /** The timed request; or `run` for a timed sequence. */
  request?: (c: T, i: number) => Req;
  run?: (c: T, i: number, timed: Client) => Promise<Sample>;
}>;

/** Commands measured in the same loop (one after the other in each iteration), on the same contexts. */
type Block<T> = Readonly<{ group: string; specs: readonly Spec<T>[]; prepare: (count: number) => Promise<T[]> }>;

export const measureCommerce = async (url: string, token: string, userIds: readonly string[], options: CommerceOptions): Promise<CommerceResult> => {
  const { iterations, warmUp, log } = options;
  const total = iterations + warmUp;
  const timed = connect(url, token, 1);
  const setup = connect(url, token, SETUP_CONNECTIONS);
  const run = randomBytes(3).toString('hex');
  const post = (path: string, body: unknown = {}) => must(setup, { method: 'POST', path, body });
  const idOf = async (path: string, body: unknown, field: string) => (await post(path, body)).data[field] as string;

  const planBody = (name: string, amount = 1200) => ({ name, pricingModel: 'per_unit', amount, currency: 'usd', interval: 'month' });
  const newPlan = (name: string, amount?: number) => idOf('/v1/plans', planBody(name, amount), 'planId');
  const newCustomer = (name: string) => idOf('/v1/customers', { name, email: `${name}@example.com` }, 'customerId');
  const newContract = (customerId: string, title: string) => idOf('/v1/contracts', { customerId, title }, 'contractId');
  const newSubscription = (contractId: string, planId: string) => idOf('/v1/subscriptions', { contractId, planId, quantity: 1 }, 'subscriptionId');

  try {
    // Pools, untimed.
    log(`commerce: creating pools of ${POOL} plans, customers and subscriptions`);
    const plans = await inParallel(POOL, SETUP_CONNECTIONS, (i) => newPlan(`bench-plan-${run}-${i}`, i % 2 === 0 ? 1200 : 2000));
    const customers = await inParallel(POOL, SETUP_CONNECTIONS, (i) => newCustomer(`bench-${run}-${i}`));
    const contracts = await inParallel(10, SETUP_CONNECTIONS, async (i) => {
      const id = await newContract(customers[i]!, `bench pool contract ${i}`);
      await post(`/v1/contracts/${id}/activate`);
      return id;
    });
    const subscriptions = await inParallel(POOL, SETUP_CONNECTIONS, (i) => newSubscription(contracts[i % contracts.length]!, plans[0]!));
    const marker = await newCustomer(`bench-marker-${run}`);
    const roles = new Map<string, string>();
    for (const id of userIds) roles.set(id, (await must(setup, { method: 'GET', path: `/v1/users/${id}` })).data.role as string);

    /**
     * A marker write, then every read model and the cascades past it; twice, so
     * the read models also pass what the cascades wrote for events before the first marker.
     */
    const settle = async () => {
      for (let round = 0; round < 2; round += 1) {
        const { position } = await post(`/v1/customers/${marker}/credits`, { amount: 1, currency: 'usd', reason: 'bench marker' });
        const waits = ['/v1/users', '/v1/audit', '/v1/customers', '/v1/plans', '/v1/contracts', '/v1/subscriptions'].map((p) => `${p}?limit=1`);
        for (const path of [...waits, `/v1/subscriptions/${subscriptions[0]}`]) {
          for (let attempt = 0; ; attempt += 1) {
            const answer = await setup.send({ method: 'GET', path, headers: { 'X-Min-Position': position! } });
            if (ok2xx(answer.status)) break;
            if (answer.status !== 503 || attempt >= 20) throw new Error(`settling: GET ${path} answered ${answer.status}: ${answer.text.slice(0, 300)}`);
          }
        }
      }
    };

    const sample = async (req: Req): Promise<Sample> => {
      try {
        const a = await timed.send(req);
        return { ms: a.ms, outcome: ok2xx(a.status) ? '2xx' : String(a.status) };
      } catch {
        return { ms: Number.NaN, outcome: 'error' };
      }
    };

    const user = (i: number) => userIds[i % userIds.length]!;
    /** The baseline: a role change (each user flipped between ADMIN and USER) and a read of a user. */
    const BASELINE: Readonly<Record<Kind, Spec<unknown>>> = {
      command: {
        label: 'PATCH /v1/users/:id/role',
        kind: 'command',
        request: (_, i) => {
          const id = user(i);
          const role = roles.get(id) === 'ADMIN' ? 'USER' : 'ADMIN';
          roles.set(id, role);
          return { method: 'PATCH', path: `/v1/users/${id}/role`, body: { role } };
        },
      },
      read: { label: 'GET /v1/users/:id', kind: 'read', request: (_, i) => ({ method: 'GET', path: `/v1/users/${user(i)}` }) },
    };

    const rows: CommerceRow[] = [];
    /**
     * Each iteration sends the block's requests in turn, then (unless `alone`)
     * the baseline of the block's kind, so that every figure has a baseline
     * taken under the same load, however the shared machine drifts.
     */
    const measure = async <T>(block: Block<T>, alone = false): Promise<void> => {
      const paired = alone ? undefined : BASELINE[block.specs[0]!.kind];
      const specs: readonly Spec<T>[] = paired ? [...block.specs, paired] : block.specs;
      log(`commerce: ${specs.map((s) => s.label).join(' + ')}: ${total} setups, then ${iterations} timed after ${warmUp} untimed`);
      const contexts = await block.prepare(total);
      await settle();
      const results = specs.map(() => ({ latencies: [] as number[], problems: {} as Record<string, number> }));
      for (let i = 0; i < total; i += 1) {
        for (const [k, spec] of specs.entries()) {
          const s = spec.run ? await spec.run(contexts[i]!, i, timed) : await sample(spec.request!(contexts[i]!, i));
          if (i < warmUp) continue;
          const r = results[k]!;
          if (s.outcome === '2xx') r.latencies.push(s.ms);
          else r.problems[s.outcome] = (r.problems[s.outcome] ?? 0) + 1;
        }
      }
      for (const r of results) r.latencies.sort((a, b) => a - b);
      const base = paired ? results[specs.length - 1]! : undefined;
      const baseProblems = Object.fromEntries(Object.entries(base?.problems ?? {}).map(([s, n]) => [`baseline ${s}`, n]));
      for (const [k, spec] of block.specs.entries()) {
        const r = results[k]!;
        rows.push({
          group: block.group,
          label: spec.label,
          kind: spec.kind,
          latencies: r.latencies,
          problems: { ...r.problems, ...baseProblems },
          ...(base && { baselineP50: percentile(base.latencies, 0.5) }),
        });
      }
    };

    const indices = (count: number) => Promise.resolve(Array.from({ length: count }, (_, i) => i));
    const fresh = <T>(make: (i: number) => Promise<T>) => (count: number) => inParallel(count, SETUP_CONNECTIONS, make);
    const baseline = (group: string): Block<number> => ({ group, prepare: indices, specs: [BASELINE.command, BASELINE.read] });
    type WithSubscription = Readonly<{ contractId: string; subscriptionId: string }>;
    const activeContractWithSubscription = async (i: number, tag: string): Promise<WithSubscription> => {
      const contractId = await newContract(customers[i % POOL]!, `bench ${tag} ${i}`);
      await post(`/v1/contracts/${contractId}/activate`);
      return { contractId, subscriptionId: await newSubscription(contractId, plans[0]!) };
    };
    const onPool = (i: number) => contracts[i % contracts.length]!;

    await measure(baseline('baseline (before)'), true);

    // Plans.
    await measure({
      group: 'plans',
      prepare: indices,
      specs: [{ label: 'POST /v1/plans', kind: 'command', request: (_, i) => ({ method: 'POST', path: '/v1/plans', body: planBody(`bench-new-plan-${run}-${i}`) }) }],
    });
    await measure({
      group: 'plans',
      prepare: indices,
      specs: [
        { label: 'PATCH /v1/plans/:id', kind: 'command', request: (_, i) => ({ method: 'PATCH', path: `/v1/plans/${plans[i % POOL]}`, body: { name: `bench plan ${run} ${i}` } }) },
      ],
    });
    await measure({
      group: 'plans',
      prepare: fresh((i) => newPlan(`bench-archived-${run}-${i}`)),
      specs: [{ label: 'POST /v1/plans/:id/archive', kind: 'command', request: (id) => ({ method: 'POST', path: `/v1/plans/${id}/archive`, body: {} }) }],
    });

    // Customers.
    await measure({
      group: 'customers',
      prepare: indices,
      specs: [
        { label: 'POST /v1/customers', kind: 'command', request: (_, i) => ({ method: 'POST', path: '/v1/customers', body: { name: `bench new ${i}`, email: `new-${run}-${i}@example.com` } }) },
      ],
    });
    await measure({
      group: 'customers',
      prepare: indices,
      specs: [{ label: 'PATCH /v1/customers/:id', kind: 'command', request: (_, i) => ({ method: 'PATCH', path: `/v1/customers/${customers[i % POOL]}`, body: { name: `bench ${run} ${i}` } }) }],
    });
    await measure({
      group: 'customers',
      prepare: fresh((i) => newCustomer(`bench-pm-${run}-${i}`)),
      specs: [
        { label: 'POST /v1/customers/:id/payment-method', kind: 'command', request: (id) => ({ method: 'POST', path: `/v1/customers/${id}/payment-method`, body: { paymentMethod: 'pm_ok' } }) },
      ],
    });
    const credits = (i: number, headers?: Record<string, string>): Req => ({
      method: 'POST',
      path: `/v1/customers/${customers[i % POOL]}/credits`,
      body: { amount: 500, currency: 'usd', reason: 'top-up' },
      ...(headers && { headers }),
    });
    await measure({ group: 'customers', prepare: indices, specs: [{ label: 'POST /v1/customers/:id/credits', kind: 'command', request: (_, i) => credits(i) }] });

    // Contracts.
    await measure({
      group: 'contracts',
      prepare: indices,
      specs: [{ label: 'POST /v1/contracts', kind: 'command', request: (_, i) => ({ method: 'POST', path: '/v1/contracts', body: { customerId: customers[i % POOL], title: `bench contract ${i}` } }) }],
    });
    await measure({
      group: 'contracts',
      prepare: fresh((i) => newContract(customers[i % POOL]!, `bench draft ${i}`)),
      specs: [{ label: 'POST /v1/contracts/:id/activate', kind: 'command', request: (id) => ({ method: 'POST', path: `/v1/contracts/${id}/activate`, body: {} }) }],
    });
    await measure<WithSubscription>({
      group: 'contracts',
      prepare: fresh((i) => activeContractWithSubscription(i, 'to suspend')),
      specs: [
        {
          label: 'POST /v1/contracts/:id/suspend (1 subscription)',
          kind: 'command',
          request: (c) => ({ method: 'POST', path: `/v1/contracts/${c.contractId}/suspend`, body: { reason: 'bench' } }),
        },
      ],
    });
    await measure<WithSubscription>({
      group: 'contracts',
      prepare: fresh((i) => activeContractWithSubscription(i, 'to suspend and read')),
      specs: [
        {
          label: 'suspend + GET its subscription with X-Min-Position (PAUSED by the cascade)',
          kind: 'command',
          run: async (c, _i, client) => {
            try {
              const suspended = await client.send({ method: 'POST', path: `/v1/contracts/${c.contractId}/suspend`, body: {} });
              if (!ok2xx(suspended.status)) return { ms: Number.NaN, outcome: `suspend ${suspended.status}` };
              const position = (JSON.parse(suspended.text) as { position: string }).position;
              const read = await client.send({ method: 'GET', path: `/v1/subscriptions/${c.subscriptionId}`, headers: { 'X-Min-Position': position } });
              if (!ok2xx(read.status)) return { ms: Number.NaN, outcome: `GET ${read.status}` };
              const status = (JSON.parse(read.text) as { data: Data }).data.status;
              return status === 'PAUSED' ? { ms: suspended.ms + read.ms, outcome: '2xx' } : { ms: Number.NaN, outcome: `read ${String(status)}` };
            } catch {
              return { ms: Number.NaN, outcome: 'error' };
            }
          },
        },
      ],
    });
    await measure<WithSubscription>({
      group: 'contracts',
      prepare: fresh(async (i) => {
        const c = await activeContractWithSubscription(i, 'to resume');
        await post(`/v1/contracts/${c.contractId}/suspend`);
        return c;
      }),
      specs: [{ label: 'POST /v1/contracts/:id/resume (1 subscription)', kind: 'command', request: (c) => ({ method: 'POST', path: `/v1/contracts/${c.contractId}/resume`, body: {} }) }],
    });
    await measure<WithSubscription>({
      group: 'contracts',
      prepare: fresh((i) => activeContractWithSubscription(i, 'to terminate')),
      specs: [
        { label: 'POST /v1/contracts/:id/terminate (1 subscription)', kind: 'command', request: (c) => ({ method: 'POST', path: `/v1/contracts/${c.contractId}/terminate`, body: {} }) },
      ],
    });

    // Subscriptions.
    await measure({
      group: 'subscriptions',
      prepare: indices,
      specs: [
        { label: 'POST /v1/subscriptions', kind: 'command', request: (_, i) => ({ method: 'POST', path: '/v1/subscriptions', body: { contractId: onPool(i), planId: plans[0], quantity: 2 } }) },
      ],
    });
    const subscriptionCommand = (label: string, action: string, before?: (id: string) => Promise<unknown>, body: unknown = {}): Block<string> => ({
      group: 'subscriptions',
      prepare: fresh(async (i) => {
        const id = await newSubscription(onPool(i), plans[0]!);
        if (before) await before(id);
        return id;
      }),
      specs: [{ label, kind: 'command', request: (id) => ({ method: 'POST', path: `/v1/subscriptions/${id}/${action}`, body }) }],
    });
    await measure(subscriptionCommand('POST /v1/subscriptions/:id/pause', 'pause'));
    await measure(subscriptionCommand('POST /v1/subscriptions/:id/resume', 'resume', (id) => post(`/v1/subscriptions/${id}/pause`)));
    await measure(subscriptionCommand('POST /v1/subscriptions/:id/change-plan', 'change-plan', undefined, { planId: plans[1] }));
    await measure({
      group: 'subscriptions',
      prepare: indices,
      specs: [
        {
          label: 'POST /v1/subscriptions/:id/change-quantity',
          kind: 'command',
          // 2 + i differs from what the previous round left on the same subscription.
          request: (_, i) => ({ method: 'POST', path: `/v1/subscriptions/${subscriptions[i % POOL]}/change-quantity`, body: { quantity: 2 + i } }),
        },
      ],
    });
    await measure(subscriptionCommand('POST /v1/subscriptions/:id/cancel (now)', 'cancel'));
    await measure(subscriptionCommand('POST /v1/subscriptions/:id/reactivate', 'reactivate', (id) => post(`/v1/subscriptions/${id}/cancel`, { atPeriodEnd: true })));

    // Reads: from the stream (one) or the read models (lists).
    const reads: [string, (i: number) => string][] = [
      ['GET /v1/plans/:id', (i) => `/v1/plans/${plans[i % POOL]}`],
      ['GET /v1/customers/:id', (i) => `/v1/customers/${customers[i % POOL]}`],
      ['GET /v1/contracts/:id', (i) => `/v1/contracts/${onPool(i)}`],
      ['GET /v1/subscriptions/:id', (i) => `/v1/subscriptions/${subscriptions[i % POOL]}`],
      ['GET /v1/plans (20)', () => '/v1/plans?limit=20'],
      ['GET /v1/customers (20)', () => '/v1/customers?limit=20'],
      ['GET /v1/contracts (20)', () => '/v1/contracts?limit=20'],
      ['GET /v1/subscriptions (20)', () => '/v1/subscriptions?limit=20'],
    ];
    for (const [label, path] of reads) {
      await measure({ group: 'reads', prepare: indices, specs: [{ label, kind: 'read', request: (_, i) => ({ method: 'GET', path: path(i) }) }] });
    }

    // Idempotency-Key: the same POST without a key, with a fresh one, and that key again (a replay), in turn.
    const key = (i: number) => `bench-${run}-${i}`;
    await measure({
      group: 'Idempotency-Key',
      prepare: indices,
      specs: [
        { label: 'POST /v1/customers/:id/credits, no key', kind: 'command', request: (_, i) => credits(i) },
        { label: 'the same, fresh Idempotency-Key', kind: 'command', request: (_, i) => credits(i, { 'Idempotency-Key': key(i) }) },
        { label: 'the same key again (replayed answer)', kind: 'command', request: (_, i) => credits(i, { 'Idempotency-Key': key(i) }) },
      ],
    });

    await measure(baseline('baseline (after)'), true);

    return { iterations, warmUp, rows };
  } finally {
    timed.close();
    setup.close();
  }
};

const slowest = (k: number): string => (k <= 1 ? 'the slowest' : `the ${k}${k === 2 ? 'nd' : k === 3 ? 'rd' : 'th'} slowest`);
const ms = (n: number): string => (Number.isFinite(n) ? n.toFixed(1) : 'n/a');

/** Figures right-aligned; the first two columns and the last left-aligned. */
const table = (rows: string[][]): string[] => {
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
  const isText = (c: number) => c <= 1 || c === widths.length - 1;
  const line = (r: string[]) => r.map((text, c) => (isText(c) ? text.padEnd(widths[c]!) : text.padStart(widths[c]!))).join(' | ');
  return [line(rows[0]!), widths.map((w) => '-'.repeat(w)).join('-|-'), ...rows.slice(1).map(line)].map((l) => l.trimEnd());
};

export const printCommerceReport = (header: readonly string[] | undefined, r: CommerceResult): void => {
  const rows = [
    ['group', 'request', 'n (2xx)', 'p50 ms', 'p99 ms', 'baseline p50 ms', 'p50 ÷ baseline', 'not 2xx'],
    ...r.rows.map((row) => {
      const p50 = percentile(row.latencies, 0.5);
      const problems = Object.entries(row.problems).map(([s, n]) => `${s}×${n}`).join(', ');
      return [
        row.group,
        row.label,
        String(row.latencies.length),
        ms(p50),
        ms(percentile(row.latencies, 0.99)),
        row.baselineP50 === undefined ? '-' : ms(row.baselineP50),
        row.baselineP50 === undefined ? '-' : `${(p50 / row.baselineP50).toFixed(2)}x`,
        problems || '-',
      ];
    }),
  ];
  const out = [
    ...(header ? [...header, ''] : ['']),
    `commerce commands, 1 connection: ${r.iterations} sequential requests each, after ${r.warmUp} untimed`,
    ...table(rows),
    '',
    'notes (commerce):',
    '  - baseline p50: of the baseline sent right after each request of that row, in the same loop: PATCH /v1/users/:id/role for commands, GET /v1/users/:id for reads;',
    '    the baseline rows, alone, open and close the run',
    '  - one keep-alive connection (node:http), timed from the request to the last byte of the answer; setup on other connections, untimed',
    '  - fresh resources per request where the state requires it; PATCH, credits, change-quantity and GETs cycle over pools of 50',
    '  - before each timed loop the read models and contract cascades are waited for; what a command sets off (cascades, projections) runs during the loop',
    `  - with ${r.iterations} samples p99 is ${slowest(r.iterations - Math.ceil(0.99 * r.iterations) + 1)}: read it loosely`,
  ];
  console.log(out.join('\n'));
};
