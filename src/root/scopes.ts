import type { ScopeResource } from '../domain/apiKey/index.js';

/**
 * Which scope each route needs of an API key: the resource by the route's
 * pattern (the longest prefix named here), `read` for GET and `write` for
 * anything else. A route under none of these (users, sign-in, the keys
 * themselves) is closed to keys: they never manage people or other keys.
 */
const RESOURCES: readonly (readonly [prefix: string, resource: ScopeResource])[] = [
  ['/v1/invoices/:id/credit-notes', 'credit_notes'],
  ['/v1/credit-notes', 'credit_notes'],
  ['/v1/plans', 'plans'],
  ['/v1/customers', 'customers'],
  ['/v1/contracts', 'contracts'],
  ['/v1/subscriptions', 'subscriptions'],
  ['/v1/invoices', 'invoices'],
  ['/v1/refunds', 'refunds'],
  ['/v1/coupons', 'coupons'],
  ['/v1/tax-rates', 'tax_rates'],
  ['/v1/ledger', 'ledger'],
  ['/v1/jobs', 'jobs'],
  ['/v1/webhook-endpoints', 'webhooks'],
  ['/v1/audit', 'audit'],
  ['/v1/streams', 'events'],
  ['/v1/test/clock', 'test_clock'],
];

const under = (path: string, prefix: string) => path === prefix || path.startsWith(`${prefix}/`);

/** Routes that read something a key could abuse (a signing secret forges messages): they need write. */
const WRITE_TO_READ = new Set(['GET /v1/webhook-endpoints/:id/secret']);

export const scopeOf = (method: string, routePath: string): string | undefined => {
  if (WRITE_TO_READ.has(`${method} ${routePath}`)) return 'webhooks:write';
  const found = RESOURCES.filter(([prefix]) => under(routePath, prefix)).sort((a, b) => b[0].length - a[0].length)[0];
  return found && `${found[1]}:${method === 'GET' ? 'read' : 'write'}`;
};
