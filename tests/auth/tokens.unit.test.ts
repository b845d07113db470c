import { SignJWT, UnsecuredJWT } from 'jose';
import { describe, expect, it } from 'vitest';
import { createTokenService } from '../../src/application/auth/tokens.js';
import { AuthenticationError } from '../../src/domain/shared/index.js';

const SECRET = 'a-test-secret-that-is-long-enough-0123456789';
const NOW = new Date('2026-03-01T12:00:00Z');
const service = (now = NOW, secret = SECRET) =>
  createTokenService({ secret, accessTokenTtlSeconds: 900, now: () => now });

const rejects = async (token: string, reason = 'auth.invalid_token', verifier = service()) => {
  const error = await verifier.verifyAccessToken(token).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(AuthenticationError);
  expect((error as AuthenticationError).reason).toBe(reason);
};

describe('access tokens', () => {
  it('carry sub, role, jti, iat and exp, and verify', async () => {
    const { token, claims } = await service().signAccessToken({ userId: 'usr_1', role: 'ADMIN' });
    expect(claims).toMatchObject({ sub: 'usr_1', role: 'ADMIN', iat: NOW.getTime() / 1000, exp: NOW.getTime() / 1000 + 900 });
    expect(await service().verifyAccessToken(token)).toEqual(claims);
  });

  it('expire', async () => {
    const { token } = await service().signAccessToken({ userId: 'usr_1', role: 'USER' });
    await rejects(token, 'auth.token_expired', service(new Date(NOW.getTime() + 901_000)));
  });

  it('expire even after a verification was remembered, and a remembered token stays tied to its key', async () => {
    let now = NOW;
    const verifier = createTokenService({ secret: SECRET, accessTokenTtlSeconds: 900, now: () => now });
    const { token } = await verifier.signAccessToken({ userId: 'usr_1', role: 'USER' });
    expect((await verifier.verifyAccessToken(token)).sub).toBe('usr_1');
    expect((await verifier.verifyAccessToken(token)).sub).toBe('usr_1');
    now = new Date(NOW.getTime() + 901_000);
    await rejects(token, 'auth.token_expired', verifier);
    await rejects(token, 'auth.invalid_token', service(NOW, 'another-secret-that-is-long-enough-987654321'));
  });

  it('refuse another key', async () => {
    const { token } = await service(NOW, 'another-secret-that-is-long-enough-987654321').signAccessToken({ userId: 'usr_1', role: 'MANAGER' });
    await rejects(token);
  });

  it('refuse alg none', async () => {
    const unsigned = new UnsecuredJWT({ role: 'MANAGER' })
      .setSubject('usr_1')
      .setJti('j')
      .setIssuedAt(NOW.getTime() / 1000)
      .setExpirationTime(NOW.getTime() / 1000 + 60)
      .setIssuer('billstream')
      .setAudience('billstream-api')
      .encode();
    await rejects(unsigned);
  });

  it('refuse a payload edited after signing', async () => {
    const { token } = await service().signAccessToken({ userId: 'usr_1', role: 'USER' });
    const [header, payload, signature] = token.split('.');
    const edited = JSON.parse(Buffer.from(payload!, 'base64url').toString()) as Record<string, unknown>;
    edited.role = 'MANAGER';
    await rejects(`${header}.${Buffer.from(JSON.stringify(edited)).toString('base64url')}.${signature}`);
  });

  it('refuse malformed tokens and unknown roles', async () => {
    for (const junk of ['', 'abc', 'a.b.c', 'Bearer x']) await rejects(junk);
    const wrongRole = await new SignJWT({ role: 'ROOT' })
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject('usr_1')
      .setJti('j')
      .setIssuedAt(NOW.getTime() / 1000)
      .setExpirationTime(NOW.getTime() / 1000 + 60)
      .setIssuer('billstream')
      .setAudience('billstream-api')
      .sign(new TextEncoder().encode(SECRET));
    await rejects(wrongRole);
  });

  it('refuse a short secret at construction', () => {
    expect(() => service(NOW, 'short')).toThrow(/32 bytes/);
  });
});
