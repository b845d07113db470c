import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCreditNotes } from '../../src/application/creditNote/index.js';
import { createPostgresEventStore } from '../../src/eventstore/index.js';
import { invoiceStreams } from '../collection/invoiceStreams.js';
import { invoiceNumberFor } from '../../src/application/invoice/numbering.js';
import { createTestDatabase, type TestDatabase } from '../support/db.js';

let database: TestDatabase;
const NOW = new Date('2026-11-22T10:00:00.000Z');

beforeAll(async () => {
  database = await createTestDatabase({ poolSize: 20 });
});
afterAll(async () => {
  await database?.close();
});

it('gives 50 concurrent finalisations the numbers 1 to 50 of the year, each once, with no gap', async () => {
  const ids = Array.from({ length: 50 }, (_, i) => `inv_concurrent_${i}`);
  const numbers = await Promise.all(ids.map((id) => invoiceNumberFor(database.db, id, 2026, NOW)));
  expect(new Set(numbers).size).toBe(50);
  expect([...numbers].sort()).toEqual(Array.from({ length: 50 }, (_, i) => `2026-${String(i + 1).padStart(6, '0')}`));
});

it('answers an invoice asking again, even concurrently, with the number it has, and leaves no gap behind', async () => {
  const again = await Promise.all(Array.from({ length: 10 }, () => invoiceNumberFor(database.db, 'inv_retried', 2026, NOW)));
  expect(new Set(again)).toEqual(new Set(['2026-000051']));
  expect(await invoiceNumberFor(database.db, 'inv_next', 2026, NOW)).toBe('2026-000052');
  expect(await invoiceNumberFor(database.db, 'inv_concurrent_7', 2026, NOW)).toMatch(/^2026-0000(0[1-9]|[1-4]\d|50)$/);
});

it('starts each year at 1', async () => {
  expect(await invoiceNumberFor(database.db, 'inv_2027_a', 2027, NOW)).toBe('2027-000001');
  expect(await invoiceNumberFor(database.db, 'inv_2027_b', 2027, NOW)).toBe('2027-000002');
});

describe('credit notes', () => {
  it('are issued 30 at once on 30 invoices and numbered CN-2026-000001 to 000030, each once, recorded on their documents', async () => {
    const store = createPostgresEventStore({ pool: database.pool });
    const clock = { now: () => NOW };
    const streams = invoiceStreams(store, NOW);
    const creditNotes = createCreditNotes({ store, db: database.db, clock });
    const invoiceIds = await Promise.all(Array.from({ length: 30 }, () => streams.create({ amount: 1_000 })));
    const ask = { actor: { id: 'system:test' }, source: 'test', correlationId: 'numbers' };
    const issued = await Promise.all(invoiceIds.map((id) => creditNotes.issue(id, { reason: 'duplicate', amount: 100 }, ask)));
    const numbers = issued.map((r) => (r.state.status === 'NONE' ? '' : r.state.number));
    expect([...numbers].sort()).toEqual(Array.from({ length: 30 }, (_, i) => `CN-2026-${String(i + 1).padStart(6, '0')}`));
    // Completing one again (what collections does on its InvoiceCreditNoted) takes no other number.
    const first = issued[0]!;
    if (first.state.status === 'NONE') throw new Error('no credit note');
    const { number: _n, status: _s, issuedAt, ...facts } = first.state;
    await creditNotes.complete({ ...facts, issuedAt }, ask);
    expect((await creditNotes.current(first.state.creditNoteId)).state).toMatchObject({ number: first.state.number });
    const last = await database.db.selectFrom('billing.document_number_counters').selectAll().execute();
    expect(last).toEqual([{ series: 'CN', year: 2026, last: 30 }]);
    await store.close();
  });
});
