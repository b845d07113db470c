import { afterAll, beforeAll, expect, it } from 'vitest';
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
