import { describe, expect, it } from 'vitest';
import { onSimulatedClock } from './simulatedClock.js';

/**
 * Sessions live on the wall clock, deactivations on the domain's. On a
 * simulated clock the two can be years apart, either way: a deactivation
 * must still end the sessions begun before it, and only those. (Comparing a
 * session's wall-clock start with the deactivation's domain instant kept the
 * old session alive on a clock behind the wall, and refused the new one on a
 * clock ahead of it.)
 */
const YEAR_MS = 365 * 24 * 60 * 60 * 1000;
const PASSWORD = 'long-enough-password';

describe.each([
  ['five years behind', -5 * YEAR_MS],
  ['five years ahead of', 5 * YEAR_MS],
])('on a simulated clock %s the wall clock', (label, offsetMs) => {
  const clock = onSimulatedClock(new Date(Date.now() + offsetMs).toISOString(), `boss-${offsetMs > 0 ? 'ahead' : 'behind'}@example.com`);

  it('a deactivation ends the sessions begun before it, even once the user is back, and not those begun after', async () => {
    const { api, manager } = clock;
    const email = `user-${offsetMs > 0 ? 'ahead' : 'behind'}@example.com`;
    const before = await api.userWithRole('USER', email);

    expect((await api.call('DELETE', `/v1/users/${before.userId}`, { token: manager })).status).toBe(200);
    expect((await api.call('PATCH', `/v1/users/${before.userId}/reactivate`, { token: manager })).status).toBe(200);
    const login = await api.call('POST', '/v1/auth/login', { body: { email, password: PASSWORD } });
    expect(login.status, label).toBe(200);

    const old = await api.call('POST', '/v1/auth/refresh', { body: { refreshToken: before.refreshToken } });
    expect(old.status).toBe(401);
    expect(old.body.error.reason).toBe('auth.refresh_token_revoked');

    const fresh = await api.call('POST', '/v1/auth/refresh', { body: { refreshToken: login.body.data.refreshToken } });
    expect(fresh.status).toBe(200);
    // And the session goes on: the token it was given refreshes in turn.
    expect((await api.call('POST', '/v1/auth/refresh', { body: { refreshToken: fresh.body.data.refreshToken } })).status).toBe(200);
  });
});
