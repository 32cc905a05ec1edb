import { randomFillSync } from 'node:crypto';
import type { JWTPayload } from 'jose';
import type { AuthConfig, ClaimValue } from '../config/types';
import { signJws } from './jws';
import type { Keyring } from './keys';

// Random bytes drawn 4 KiB at a time: each draw from the system's generator has a fixed cost
// (about 6 µs in a Next server, which wraps it), which a refresh paid twice. Node draws its
// randomUUID()s the same way. Every id still gets 16 bytes no other id gets.
const pool = Buffer.alloc(4096);
let poolOffset = pool.length;

/** A new random token id (128 bits, hex). */
export function newJti(): string {
  if (poolOffset + 16 > pool.length) {
    randomFillSync(pool);
    poolOffset = 0;
  }
  const jti = pool.toString('hex', poolOffset, poolOffset + 16);
  poolOffset += 16;
  return jti;
}

// Signing is synchronous (node:crypto, see jws.ts); the callers need no await.
function signWith(keyring: Keyring, payload: JWTPayload, typ: string): string {
  const { signing } = keyring;
  return signJws(
    signing,
    signing.kid ? { alg: signing.alg, kid: signing.kid, typ } : { alg: signing.alg, typ },
    payload,
  );
}

type TokenConfig = Pick<AuthConfig, 'issuer' | 'audience' | 'accessTokenLifetimeSeconds'>;

/**
 * Signs an access token: header `typ: "at+jwt"` (RFC 9068) and the claims of docs/contract.md
 * section 4, custom claims last (they cannot overwrite registered ones: checked at start-up).
 */
export function signAccessToken(
  keyring: Keyring,
  config: TokenConfig,
  input: {
    userId: number;
    /** The session the token belongs to, with its sign-in's time (Unix seconds) and methods. */
    session: { sid: string; authTime: number; amr: readonly string[] };
    customClaims: Record<string, ClaimValue>;
    nowSeconds: number;
  },
): { token: string; exp: number; jti: string } {
  const jti = newJti();
  const exp = input.nowSeconds + config.accessTokenLifetimeSeconds;
  const payload: JWTPayload = {
    token_type: 'access',
    user_id: input.userId,
    sub: String(input.userId),
    jti,
    sid: input.session.sid,
    auth_time: input.session.authTime,
    amr: [...input.session.amr],
    iat: input.nowSeconds,
    exp,
    ...(config.issuer ? { iss: config.issuer } : {}),
    ...(config.audience ? { aud: config.audience } : {}),
    ...input.customClaims,
  };
  return { token: signWith(keyring, payload, 'at+jwt'), exp, jti };
}

/** Signs a refresh token with the given `jti`, family `sid` and times (re-signable for the grace window). */
export function signRefreshToken(
  keyring: Keyring,
  config: Pick<AuthConfig, 'issuer' | 'audience'>,
  input: { userId: number; jti: string; sid: string; iat: number; exp: number },
): string {
  return signWith(
    keyring,
    {
      token_type: 'refresh',
      user_id: input.userId,
      sub: String(input.userId),
      jti: input.jti,
      sid: input.sid,
      iat: input.iat,
      exp: input.exp,
      ...(config.issuer ? { iss: config.issuer } : {}),
      ...(config.audience ? { aud: config.audience } : {}),
    },
    'JWT',
  );
}

/** Signs the session cookie's short JWT {sub, sid, exp} with the derived session key (HS256). */
export function signSessionToken(
  keyring: Keyring,
  input: { userId: number; sid: string; exp: number },
): string {
  return signJws(
    { alg: 'HS256', key: keyring.sessionKey },
    { alg: 'HS256', typ: 'JWT' },
    { sub: String(input.userId), sid: input.sid, exp: input.exp },
  );
}
