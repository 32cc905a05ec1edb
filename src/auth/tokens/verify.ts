import {
  decodeJwt,
  decodeProtectedHeader,
  errors,
  jwtVerify,
  type JWTHeaderParameters,
  type JWTPayload,
} from 'jose';
import type { AuthConfig } from '../config/types';
import type { Keyring, VerificationKey } from './keys';
import type { AccessTokenClaims, RefreshTokenClaims, SessionCookieClaims } from './types';

/** Why a token was refused; `expired` is told apart because an expired refresh token is not reuse. */
export type TokenFailure = 'malformed' | 'expired' | 'invalid';

/** A verification outcome: the claims, or why not. */
export type VerifyResult<T> = { ok: true; claims: T } | { ok: false; reason: TokenFailure };

type VerifyConfig = Pick<AuthConfig, 'issuer' | 'audience' | 'leewaySeconds'>;

/**
 * The instant a token's expiry is judged at: `now` less the leeway (simplejwt's LEEWAY). One rule
 * for the JWT's `exp` (jose's clockTolerance, below) and for the stored expiries the refresh
 * queries compare, so a token /auth/verify/ accepts is not expired at /auth/refresh/ either.
 */
export function expiryJudgedAt(config: Pick<AuthConfig, 'leewaySeconds'>, now: Date): Date {
  return new Date(now.getTime() - config.leewaySeconds * 1000);
}

function pickKey(keyring: Keyring, header: JWTHeaderParameters): VerificationKey {
  // A token may not bring its own key (RFC 8725 section 3.10): no jku, x5u or embedded jwk.
  if ('jku' in header || 'x5u' in header || 'jwk' in header || 'x5c' in header)
    throw new errors.JWSInvalid('key headers are not accepted');
  const entry = keyring.verification.get(header.kid ?? '');
  // The key is pinned to its own algorithm: an HS256 token "signed" with a public key is refused.
  if (!entry || entry.alg !== header.alg) throw new errors.JWKSNoMatchingKey();
  return entry;
}

async function verifyJwt<T>(
  keyring: Keyring,
  config: VerifyConfig,
  token: string,
  tokenType: 'access' | 'refresh',
  now: Date,
): Promise<VerifyResult<T>> {
  if (typeof token !== 'string' || token.length > 8192 || token.split('.').length !== 3)
    return { ok: false, reason: 'malformed' };
  try {
    const { payload } = await jwtVerify(token, (header) => pickKey(keyring, header).key, {
      algorithms: keyring.algorithms,
      typ: tokenType === 'access' ? 'at+jwt' : undefined,
      issuer: config.issuer ?? undefined,
      audience: config.audience ?? undefined,
      clockTolerance: config.leewaySeconds,
      // The services' clock (their `now`), so expiry here and in the database follow one clock.
      currentDate: now,
      requiredClaims: ['exp', 'iat', 'jti', 'sub'],
    });
    if (!isKitClaims(payload, tokenType)) return { ok: false, reason: 'invalid' };
    return { ok: true, claims: payload as T };
  } catch (error) {
    if (error instanceof errors.JWTExpired) return { ok: false, reason: 'expired' };
    if (error instanceof errors.JOSEError) return { ok: false, reason: 'invalid' };
    throw error; // a misconfigured key is a server fault, never "the token is bad"
  }
}

function isKitClaims(payload: JWTPayload, tokenType: 'access' | 'refresh'): boolean {
  return (
    payload.token_type === tokenType &&
    typeof payload.user_id === 'number' &&
    payload.sub === String(payload.user_id) &&
    typeof payload.jti === 'string' &&
    typeof payload.sid === 'string' &&
    (tokenType === 'refresh' ||
      (typeof payload.auth_time === 'number' &&
        Array.isArray(payload.amr) &&
        payload.amr.every((method) => typeof method === 'string')))
  );
}

/** Verifies one of the kit's access tokens (signature, `typ: at+jwt`, type, expiry at `now`, iss/aud). */
export function verifyAccessToken(
  keyring: Keyring,
  config: VerifyConfig,
  token: string,
  now = new Date(),
): Promise<VerifyResult<AccessTokenClaims>> {
  return verifyJwt<AccessTokenClaims>(keyring, config, token, 'access', now);
}

/** Verifies one of the kit's refresh tokens (signature, type, expiry at `now`); the blacklist is the caller's. */
export function verifyRefreshToken(
  keyring: Keyring,
  config: VerifyConfig,
  token: string,
  now = new Date(),
): Promise<VerifyResult<RefreshTokenClaims>> {
  return verifyJwt<RefreshTokenClaims>(keyring, config, token, 'refresh', now);
}

/** Reads the `token_type` a token claims without trusting it (to route /auth/verify). */
export function peekTokenType(token: string): 'access' | 'refresh' | null {
  try {
    decodeProtectedHeader(token); // a token whose header is not a JWS header is no token
    const type = decodeJwt(token).token_type;
    return type === 'access' || type === 'refresh' ? type : null;
  } catch {
    return null;
  }
}

/** Verifies the session cookie's JWT; null when absent, tampered or expired. */
export async function verifySessionToken(
  keyring: Pick<Keyring, 'sessionKey'>,
  token: string | undefined,
): Promise<SessionCookieClaims | null> {
  if (!token || token.length > 2048) return null;
  try {
    const { payload } = await jwtVerify(token, keyring.sessionKey, {
      algorithms: ['HS256'],
      requiredClaims: ['exp', 'sub', 'sid'],
    });
    return typeof payload.sid === 'string' ? (payload as unknown as SessionCookieClaims) : null;
  } catch {
    return null;
  }
}
