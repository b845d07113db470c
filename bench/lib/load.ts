/** HTTP load with autocannon, and the requests the HTTP bench sends. */
import autocannon, { type AutocannonRequest } from 'autocannon';

export type LoadResult = Readonly<{
  /** 2xx answers per second. */
  perSecond: number;
  /** Answers of any status per second, and their latency percentiles. */
  answeredPerSecond: number;
  p50Any: number;
  p99Any: number;
  ok: number;
  seconds: number;
  /** Of 2xx answers, in ms (kept here: autocannon's own histogram rounds to whole ms). */
  p50: number;
  p99: number;
  /** Every answer by status, and connection errors and timeouts. */
  byStatus: Record<string, number>;
  errors: number;
  timeouts: number;
}>;

/** Makes the i-th request of a run. */
export type RequestMaker = (i: number) => AutocannonRequest;

const percentile = (sorted: readonly number[], q: number): number =>
  sorted.length === 0 ? Number.NaN : sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]!;

/** `connections` keep-alive connections, each sending its next request when the last is answered. */
export const load = (url: string, connections: number, seconds: number, make: RequestMaker, overallRate?: number): Promise<LoadResult> => {
  let i = 0;
  const latencies: number[] = [];
  const any: number[] = [];
  return new Promise((resolve, reject) => {
    const instance = autocannon(
      {
        url,
        connections,
        duration: seconds,
        timeout: 10,
        // Paced: at most this many requests a second in all, however fast the answers come.
        ...(overallRate !== undefined && { overallRate }),
        requests: [{ setupRequest: (request) => ({ ...request, ...make(i++) }) }],
      },
      (err, result) => {
        if (err) return reject(err);
        latencies.sort((a, b) => a - b);
        any.sort((a, b) => a - b);
        const byStatus = Object.fromEntries(Object.entries(result.statusCodeStats).map(([s, { count }]) => [s, count]));
        resolve({
          perSecond: latencies.length / result.duration,
          answeredPerSecond: any.length / result.duration,
          p50Any: percentile(any, 0.5),
          p99Any: percentile(any, 0.99),
          ok: latencies.length,
          seconds: result.duration,
          p50: percentile(latencies, 0.5),
          p99: percentile(latencies, 0.99),
          byStatus,
          errors: result.errors,
          timeouts: result.timeouts,
        });
      },
    );
    instance.on('response', (_client: unknown, status: number, _bytes: number, ms: number) => {
      any.push(ms);
      if (status >= 200 && status < 300) latencies.push(ms);
    });
  });
};

/** Answers that are not 2xx, and failures, as `401×3, 429×10, errors×1`; '' when there are none. */
export const problems = (r: LoadResult): string =>
  [
    ...Object.entries(r.byStatus)
      .filter(([s]) => !s.startsWith('2'))
      .map(([s, n]) => `${s}×${n}`),
    ...(r.errors ? [`errors×${r.errors}`] : []),
    ...(r.timeouts ? [`timeouts×${r.timeouts}`] : []),
  ].join(', ');

const json = { 'content-type': 'application/json' };
const bearer = (token: string | undefined): Record<string, string> => (token ? { authorization: `Bearer ${token}` } : {});

/**
 * Role changes cycling over the users: the first round makes each an ADMIN, the
 * next a USER again, and so on. The count carries across runs so the
 * alternation holds; a repeat of the current role would be a no-op command.
 */
export const roleChanges = (userIds: readonly string[], token: string | undefined): RequestMaker => {
  let n = 0;
  return () => {
    const k = n++;
    const role = Math.floor(k / userIds.length) % 2 === 0 ? 'ADMIN' : 'USER';
    return {
      method: 'PATCH',
      path: `/v1/users/${userIds[k % userIds.length]}/role`,
      headers: { ...json, ...bearer(token) },
      body: JSON.stringify({ role }),
    };
  };
};

export const userReads = (userIds: readonly string[], token: string | undefined): RequestMaker => (i) => ({
  method: 'GET',
  path: `/v1/users/${userIds[i % userIds.length]}`,
  headers: bearer(token),
});

export const badLogins = (emails: readonly string[]): RequestMaker => (i) => ({
  method: 'POST',
  path: '/v1/auth/login',
  headers: json,
  body: JSON.stringify({ email: emails[i % emails.length], password: 'not-the-password-0123' }),
});
