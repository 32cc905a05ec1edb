import { decodeJwt, decodeProtectedHeader } from 'jose';
import type { AuthConfig } from '../config/types';
import { deepFreeze, type CheckedJws } from './checked';
import { verifyJws } from './jws';
import type { Keyring, VerificationKey } from './keys';
import type { AccessTokenClaims, RefreshTokenClaims, SessionCookieClaims } from './types';

/** Why a token was refused; `expired` is told apart because an expired refresh token is not reuse. */
export type TokenFailure = 'malformed' | 'expired' | 'invalid';

/** A verification outcome: the claims, or why not. */
export type VerifyResult<T> = { ok: true; claims: T } | { ok: false; reason: TokenFailure };

type VerifyConfig = Pick<AuthConfig, 'issuer' | 'audience' | 'leewaySeconds'>;

/**
 * The instant a token's expiry is judged at: `now` less the leeway (simplejwt's LEEWAY). One rule
 * for the JWT's `exp` (claimsFailure, below) and for the stored expiries the refresh
 * queries compare, so a token /auth/verify/ accepts is not expired at /auth/refresh/ either.
 */
export function expiryJudgedAt(config: Pick<AuthConfig, 'leewaySeconds'>, now: Date): Date {
  return new Date(now.getTime() - config.leewaySeconds * 1000);
}

function pickKey(keyring: Keyring, header: Record<string, unknown>): VerificationKey | null {
  // A token may not bring its own key (RFC 8725 section 3.10): no jku, x5u or embedded jwk.
  if ('jku' in header || 'x5u' in header || 'jwk' in header || 'x5c' in header) return null;
  const entry = keyring.verification.get((header.kid as string | undefined) ?? '');
  // The key is pinned to its own algorithm: an HS256 token "signed" with a public key is refused.
  return entry && entry.alg === header.alg ? entry : null;
}

/** A `typ` as RFC 8725 compares it: case-insensitive, `application/` implied (jose's rule). */
function mediaType(typ: string): string {
  const lower = typ.toLowerCase();
  return typ.includes('/') ? lower : `application/${lower}`;
}

/** An optional NumericDate claim (RFC 7519 section 2): absent, or a number. */
function numericDate(claims: Record<string, unknown>, name: string): number | undefined | null {
  const value = claims[name];
  if (value === undefined) return undefined;
  return typeof value === 'number' ? value : null;
}

/** What claimsFailure checks besides the times: jose's jwtVerify options, as the kit used them. */
interface ClaimRules extends VerifyConfig {
  /** The `typ` header required (access tokens: `at+jwt`), or none. */
  typ?: string;
  required: readonly string[];
}

/**
 * The JWT rules the kit applied through jose's jwtVerify, in jose's order, so that a token is
 * `expired` only when nothing else is wrong with it: the `typ` header, the required claims, the
 * issuer and audience when configured, then `iat`, `nbf` and `exp` as numbers, `nbf` and `exp`
 * judged at `now` with the leeway (simplejwt's LEEWAY).
 */
function claimsFailure(
  header: Record<string, unknown>,
  claims: Record<string, unknown>,
  rules: ClaimRules,
  now: Date,
): TokenFailure | null {
  const { typ, leewaySeconds } = rules;
  const issuer = rules.issuer ?? undefined;
  const audience = rules.audience ?? undefined;
  if (
    typ !== undefined &&
    (typeof header.typ !== 'string' || mediaType(header.typ) !== mediaType(typ))
  )
    return 'invalid';
  const required = [
    ...rules.required,
    ...(issuer !== undefined ? ['iss'] : []),
    ...(audience !== undefined ? ['aud'] : []),
  ];
  if (!required.every((claim) => Object.hasOwn(claims, claim))) return 'invalid';
  if (issuer !== undefined && claims.iss !== issuer) return 'invalid';
  const { aud } = claims;
  if (
    audience !== undefined &&
    !(typeof aud === 'string' ? aud === audience : Array.isArray(aud) && aud.includes(audience))
  )
    return 'invalid';
  const nowSeconds = Math.floor(now.getTime() / 1000);
  if (!Number.isFinite(nowSeconds)) throw new TypeError('verification needs a valid `now`');
  const iat = numericDate(claims, 'iat');
  const nbf = numericDate(claims, 'nbf');
  const exp = numericDate(claims, 'exp');
  if (iat === null || nbf === null || exp === null) return 'invalid';
  if (nbf !== undefined && nbf > nowSeconds + leewaySeconds) return 'invalid';
  if (exp !== undefined && exp <= nowSeconds - leewaySeconds) return 'expired';
  return null;
}

/** The claims an access or refresh token must carry, and the session cookie's. */
const REQUIRED = ['exp', 'iat', 'jti', 'sub'] as const;
const SESSION_REQUIRED = ['exp', 'sub', 'sid'] as const;

function verifyJwt<T>(
  keyring: Keyring,
  config: VerifyConfig,
  token: string,
  tokenType: 'access' | 'refresh',
  now: Date,
): VerifyResult<T> {
  if (typeof token !== 'string' || token.length > 8192 || token.split('.').length !== 3)
    return { ok: false, reason: 'malformed' };
  // An access token is presented on every request of its lifetime: its signature is checked once
  // per process (checked.ts); everything below is judged at every use. A refresh token is
  // presented once (rotation), so it is not kept.
  const remember = tokenType === 'access';
  const known = remember ? keyring.checked.get(token) : undefined;
  const verified: CheckedJws | null =
    known ?? verifyJws(token, keyring.algorithms, (header) => pickKey(keyring, header));
  if (!verified) return { ok: false, reason: 'invalid' };
  const { header, claims } = verified;
  // The services' clock (their `now`), so expiry here and in the database follow one clock.
  const typ = tokenType === 'access' ? 'at+jwt' : undefined;
  const failure = claimsFailure(header, claims, { ...config, typ, required: REQUIRED }, now);
  if (failure) return { ok: false, reason: failure };
  if (!isKitClaims(claims, tokenType)) return { ok: false, reason: 'invalid' };
  if (remember && !known) keyring.checked.set(token, deepFreeze(verified));
  return { ok: true, claims: claims as T };
}

function isKitClaims(payload: Record<string, unknown>, tokenType: 'access' | 'refresh'): boolean {
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
): VerifyResult<AccessTokenClaims> {
  return verifyJwt<AccessTokenClaims>(keyring, config, token, 'access', now);
}

/** Verifies one of the kit's refresh tokens (signature, type, expiry at `now`); the blacklist is the caller's. */
export function verifyRefreshToken(
  keyring: Keyring,
  config: VerifyConfig,
  token: string,
  now = new Date(),
): VerifyResult<RefreshTokenClaims> {
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

/** Verifies the session cookie's JWT (HS256 under the derived session key); null when absent, tampered or expired. */
export function verifySessionToken(
  keyring: Pick<Keyring, 'sessionKey'>,
  token: string | undefined,
): SessionCookieClaims | null {
  if (!token || token.length > 2048 || token.split('.').length !== 3) return null;
  const verified = verifyJws(token, ['HS256'], () => ({ alg: 'HS256', key: keyring.sessionKey }));
  if (!verified) return null;
  const { header, claims } = verified;
  const rules = { issuer: null, audience: null, leewaySeconds: 0, required: SESSION_REQUIRED };
  if (claimsFailure(header, claims, rules, new Date())) return null;
  return typeof claims.sid === 'string' ? (claims as unknown as SessionCookieClaims) : null;
}
