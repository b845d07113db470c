import { describe, expect, it } from 'vitest';
import { DEFAULT_SCRYPT, hashPassword, verifyPassword } from '../../src/application/auth/passwords.js';

const FAST = { N: 2 ** 10, r: 8, p: 1 };

describe('passwords', () => {
  it('verify the right password and refuse a wrong one, with the default cost', async () => {
    const stored = await hashPassword('correct horse battery staple');
    expect(stored).toMatch(new RegExp(`^scrypt\\$${DEFAULT_SCRYPT.N}\\$8\\$1\\$[\\w-]{22}\\$[\\w-]{86}$`));
    expect(await verifyPassword('correct horse battery staple', stored)).toBe(true);
    expect(await verifyPassword('correct horse battery stapler', stored)).toBe(false);
  });

  it('salt every hash', async () => {
    expect(await hashPassword('same', FAST)).not.toBe(await hashPassword('same', FAST));
  });

  it('read the cost from the stored hash, so it can change later', async () => {
    expect(await verifyPassword('pw', await hashPassword('pw', FAST))).toBe(true);
  });

  it('treat equivalent Unicode forms as the same password', async () => {
    expect(await verifyPassword('caf\u00e9', await hashPassword('cafe\u0301', FAST))).toBe(true);
  });

  it('refuse anything that is not a hash of ours', async () => {
    expect(await verifyPassword('pw', 'bcrypt$2b$10$abc')).toBe(false);
    expect(await verifyPassword('pw', '')).toBe(false);
  });
});
