import { randomUUID } from 'node:crypto';
import { errors as joseErrors, jwtVerify, SignJWT } from 'jose';
import { AuthenticationError, ROLES, type Role } from '../../domain/shared/index.js';

export type AccessClaims = Readonly<{ sub: string; role: Role; jti: string; iat: number; exp: number }>;

export type TokenServiceOptions = Readonly<{
  /** HS256 key, at least 32 bytes. */
  secret: string;
  accessTokenTtlSeconds: number;
  issuer?: string;
  now: () => Date;
}>;

export type TokenService = Readonly<{
  signAccessToken: (subject: { userId: string; role: Role }) => Promise<{ token: string; claims: AccessClaims }>;
  /** Throws AuthenticationError for anything but a valid, unexpired token signed with our key and algorithm. */
  verifyAccessToken: (token: string) => Promise<AccessClaims>;
}>;

const AUDIENCE = 'billstream-api';

/** Verified tokens remembered, so a client's every request does not pay for HMAC through libuv's thread pool again. */
const VERIFIED_CACHE_SIZE = 10_000;

export const createTokenService = (options: TokenServiceOptions): TokenService => {
  const key = new TextEncoder().encode(options.secret);
  if (key.byteLength < 32) throw new Error('the JWT secret must be at least 32 bytes');
  const issuer = options.issuer ?? 'billstream';
  const seconds = () => Math.floor(options.now().getTime() / 1000);
  // Keyed by the whole token: a token that verified once with our key verifies
  // again until it expires, so only the expiry needs checking on a hit.
  const verified = new Map<string, AccessClaims>();
  const remember = (token: string, claims: AccessClaims) => {
    if (verified.size >= VERIFIED_CACHE_SIZE) verified.delete(verified.keys().next().value!);
    verified.set(token, claims);
  };

  return {
    async signAccessToken({ userId, role }) {
      const iat = seconds();
      const claims: AccessClaims = { sub: userId, role, jti: randomUUID(), iat, exp: iat + options.accessTokenTtlSeconds };
      const token = await new SignJWT({ role })
        .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
        .setSubject(userId)
        .setJti(claims.jti)
        .setIssuedAt(iat)
        .setExpirationTime(claims.exp)
        .setIssuer(issuer)
        .setAudience(AUDIENCE)
        .sign(key);
      return { token, claims };
    },

    async verifyAccessToken(token) {
      const known = verified.get(token);
      if (known) {
        if (known.exp > seconds()) return known;
        verified.delete(token);
      }
      try {
        const { payload } = await jwtVerify(token, key, {
          algorithms: ['HS256'],
          issuer,
          audience: AUDIENCE,
          currentDate: options.now(),
          requiredClaims: ['sub', 'jti', 'exp', 'iat'],
        });
        const role = payload.role as Role;
        if (!ROLES.includes(role)) throw new AuthenticationError('auth.invalid_token', 'the token has no valid role');
        const claims: AccessClaims = { sub: payload.sub!, role, jti: payload.jti!, iat: payload.iat!, exp: payload.exp! };
        remember(token, claims);
        return claims;
      } catch (err) {
        if (err instanceof AuthenticationError) throw err;
        const expired = err instanceof joseErrors.JWTExpired;
        throw new AuthenticationError(
          expired ? 'auth.token_expired' : 'auth.invalid_token',
          expired ? 'the access token has expired' : 'the access token is not valid',
        );
      }
    },
  };
};
