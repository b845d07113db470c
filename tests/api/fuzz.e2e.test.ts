import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROLES, type Role } from '../../src/domain/shared/index.js';
import type { System } from '../../src/root/system.js';
import { createTestDatabase, type TestDatabase } from '../support/db.js';
import { expectEnvelope, http, startTestSystem, tokensForEveryRole } from './support.js';

/**
 * Arbitrary path parameters, query strings, bodies and headers, sent to every
 * route the router holds, as every role and as nobody: no answer is a 5xx, and
 * every error is in the envelope.
 */
let database: TestDatabase;
let system: System;
let api: ReturnType<typeof http>;
let tokens: Record<Role, string>;
let victimId: string;
/** Ids that exist, so that fuzzed queries and bodies also reach past the id checks. */
let existing: string[];

beforeAll(async () => {
  database = await createTestDatabase({ poolSize: 20 });
  system = await startTestSystem(database);
  api = http(system);
  tokens = await tokensForEveryRole(api, 'fuzz');
  victimId = (await api.userWithRole('USER', 'fuzz-victim@example.com')).userId;
  const as = { token: tokens.ADMIN };
  const plan = await api.call('POST', '/v1/plans', { ...as, body: { name: 'Fuzz', pricingModel: 'per_unit', amount: 100, currency: 'usd', interval: 'month' } });
  const customer = await api.call('POST', '/v1/customers', { ...as, body: { name: 'Fuzz', email: 'fuzz@example.com', ownerUserId: victimId } });
  const contract = await api.call('POST', '/v1/contracts', { ...as, body: { customerId: customer.body.data.customerId, title: 'Fuzz' } });
  await api.call('POST', `/v1/contracts/${contract.body.data.contractId}/activate`, as);
  const sub = await api.call('POST', '/v1/subscriptions', { ...as, body: { contractId: contract.body.data.contractId, planId: plan.body.data.planId } });
  existing = [plan.body.data.planId, customer.body.data.customerId, contract.body.data.contractId, sub.body.data.subscriptionId];
});
afterAll(async () => {
  await system?.stop();
  await database?.close();
});

/** Units that have broken parsers before: NUL, lone surrogates, escapes, separators, and any code point. */
const unit = fc.oneof(
  fc.constantFrom('\u0000', '\ud800', '\udfff', '%', '%00', '/', '..', '?', '#', '&', '=', "'", '"', '\\', ' ', '\n', '+'),
  fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }),
  fc.string({ unit: 'grapheme-ascii', minLength: 1, maxLength: 1 }),
);
const text = fc.string({ unit, maxLength: 30 });
const plausible = fc.constantFrom('0', '1', '-1', '1e30', '9999999999999999999', '1/1', '0/0', '*', 'true', 'AAAA', 'usr_', 'MANAGER', '2026-01-01T00:00:00Z');
const value = fc.oneof(text, plausible, fc.integer().map(String));

const printable = fc.string({ unit: fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)), maxLength: 40 });
const headers = fc.record(
  {
    'if-match': fc.oneof(printable, fc.constantFrom('*', '"0"', '"99999999999999999999"', 'W/"1"')),
    'x-min-position': fc.oneof(printable, fc.constantFrom('1/1', '9999999999999999999/0', '0/0')),
    'content-type': fc.constantFrom('application/json', 'text/plain', 'application/json; charset=latin1', 'multipart/form-data', 'garbage'),
    'content-encoding': fc.constantFrom('gzip', 'br', 'deflate', 'identity', 'br2', 'compress'),
    'x-request-id': printable,
  },
  { requiredKeys: [] },
);

const KEYS = ['email', 'password', 'displayName', 'role', 'refreshToken', 'reason', 'cursor', 'limit', '__proto__', 'constructor'];
const COMMERCE_KEYS = ['name', 'amount', 'currency', 'quantity', 'planId', 'contractId', 'customerId', 'ownerUserId', 'metadata', 'startsAt', 'endsAt', 'atPeriodEnd'];
const leaf = fc.oneof(value, fc.integer(), fc.double(), fc.boolean(), fc.constant(null));
const jsonBody = fc.oneof(
  fc.dictionary(fc.oneof(fc.constantFrom(...KEYS, ...COMMERCE_KEYS), text), fc.oneof(leaf, fc.array(leaf, { maxLength: 3 }), fc.dictionary(text, leaf, { maxKeys: 3 })), { maxKeys: 5 }),
  fc.array(leaf, { maxLength: 3 }),
  leaf,
);
const deep = fc.integer({ min: 1, max: 5_000 }).map((depth) => '['.repeat(depth) + ']'.repeat(depth));
const body = fc.option(fc.oneof(jsonBody.map((b) => JSON.stringify(b)), text, deep), { nil: undefined });
const QUERY_KEYS = ['cursor', 'limit', 'from', 'to', 'stream', 'actor', 'type', 'reason', 'role', 'active', 'fromRevision'];
const COMMERCE_QUERY_KEYS = ['asOf', 'revision', 'customerId', 'contractId', 'planId', 'ownerUserId', 'status', 'currency', 'subscriptionId', 'periodFrom', 'periodTo'];
const query = fc.dictionary(fc.oneof(fc.constantFrom(...QUERY_KEYS, ...COMMERCE_QUERY_KEYS), text), value, { maxKeys: 4 });

/** Percent-encodes anything, lone surrogates included (as the bytes of their CESU-8 form, which no decoder accepts). */
const encodeAny = (s: string): string =>
  [...s]
    .map((ch) => {
      try {
        return encodeURIComponent(ch);
      } catch {
        return '%ED%A0%80';
      }
    })
    .join('');

const caller = fc.constantFrom<Role | 'anonymous'>('anonymous', ...ROLES);

describe('no input answers 5xx', () => {
  it('on every registered route, for every role', { timeout: 120_000 }, async () => {
    for (const { method, path: pattern } of system.routes) {
      const params = pattern.match(/:\w+/g) ?? [];
      const paramValue = fc.oneof(value, fc.constantFrom(victimId, `user-${victimId}`, ...existing));
      await fc.assert(
        fc.asyncProperty(caller, fc.array(paramValue, { minLength: params.length, maxLength: params.length }), query, body, headers, async (who, values, q, b, h) => {
          let i = 0;
          const path = pattern.replace(/:\w+/g, () => encodeAny(values[i++]!));
          const qs = Object.entries(q).map(([k, v]) => `${encodeAny(k)}=${encodeAny(v)}`).join('&');
          const res = await fetch(`${system.url}${path}${qs ? `?${qs}` : ''}`, {
            method,
            headers: { ...h, ...(who !== 'anonymous' && { authorization: `Bearer ${tokens[who]}` }) },
            ...(b !== undefined && method !== 'GET' && method !== 'HEAD' && { body: b }),
          });
          const textBody = await res.text();
          const label = `${who} ${method} ${path}?${qs}`;
          expect(res.status, label).toBeLessThan(500);
          if (res.status >= 400) {
            expectEnvelope({ status: res.status, headers: res.headers, body: JSON.parse(textBody) }, label);
          }
        }),
        { numRuns: 150 },
      );
    }
  });
});
