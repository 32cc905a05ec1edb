import { createHash, randomUUID } from 'node:crypto';
import { SignJWT } from 'jose';
import type { SigningKey } from './keys';

/** A JWT claim set; an `undefined` value means "leave this claim out". */
export type Claims = Record<string, unknown>;

/** The user a token describes, in the attribute shapes Cognito puts into tokens. */
export interface TokenUser {
  sub: string;
  username: string;
  email: string;
  emailVerified: boolean;
  givenName?: string;
  familyName?: string;
}

/** One authentication event: everything the id and access token claims are built from. */
export interface TokenGrant {
  issuer: string;
  clientId: string;
  user: TokenUser;
  scope: string;
  authTime: number;
  nonce?: string;
  // Cognito keeps origin_jti and event_id across refreshes of the same sign-in.
  originJti: string;
  eventId: string;
}

/** The token endpoint's JSON body. */
export interface TokenSet {
  id_token?: string;
  access_token: string;
  refresh_token?: string;
  expires_in: number;
  token_type: 'Bearer';
}

/** Returns the current time in whole seconds since the epoch. */
export function epochSeconds(date = new Date()): number {
  return Math.floor(date.getTime() / 1000);
}

/** Starts a new authentication event for a user (fresh origin_jti and event_id). */
export function newGrant(
  fields: Omit<TokenGrant, 'originJti' | 'eventId' | 'authTime'> & { authTime?: number },
): TokenGrant {
  return { authTime: epochSeconds(), ...fields, originJti: randomUUID(), eventId: randomUUID() };
}

/** Builds Cognito-shaped id token claims (aud = client id, token_use 'id'). */
export function buildIdTokenClaims(grant: TokenGrant, iat: number, exp: number): Claims {
  const { user } = grant;
  return {
    sub: user.sub,
    email_verified: user.emailVerified,
    iss: grant.issuer,
    'cognito:username': user.username,
    given_name: user.givenName,
    family_name: user.familyName,
    nonce: grant.nonce,
    origin_jti: grant.originJti,
    aud: grant.clientId,
    event_id: grant.eventId,
    token_use: 'id',
    auth_time: grant.authTime,
    exp,
    iat,
    jti: randomUUID(),
    email: user.email,
  };
}

/** Builds Cognito-shaped access token claims (client_id instead of aud, token_use 'access'). */
export function buildAccessTokenClaims(grant: TokenGrant, iat: number, exp: number): Claims {
  return {
    sub: grant.user.sub,
    iss: grant.issuer,
    version: 2,
    client_id: grant.clientId,
    origin_jti: grant.originJti,
    event_id: grant.eventId,
    token_use: 'access',
    scope: grant.scope,
    auth_time: grant.authTime,
    exp,
    iat,
    jti: randomUUID(),
    username: grant.user.username,
  };
}

/** Merges overrides into claims and drops every claim whose value is `undefined`. */
export function applyOverrides(claims: Claims, overrides: Claims = {}): Claims {
  const merged: Claims = { ...claims, ...overrides };
  return Object.fromEntries(Object.entries(merged).filter(([, value]) => value !== undefined));
}

/** Computes the OIDC `at_hash` of an access token for RS256. */
export function atHash(accessToken: string): string {
  return createHash('sha256').update(accessToken).digest().subarray(0, 16).toString('base64url');
}

/** Signs claims as an RS256 JWT whose header carries the key's kid (or `kid` when given). */
export function signCognitoJwt(claims: Claims, key: SigningKey, kid = key.kid): Promise<string> {
  return new SignJWT(applyOverrides(claims))
    .setProtectedHeader({ alg: 'RS256', kid })
    .sign(key.privateKey);
}

/** Issues the access token and, when the scope includes openid, the id token for a grant. */
export async function issueTokens(
  grant: TokenGrant,
  key: SigningKey,
  lifetimeSeconds: number,
): Promise<TokenSet> {
  const iat = epochSeconds();
  const exp = iat + lifetimeSeconds;
  const access_token = await signCognitoJwt(buildAccessTokenClaims(grant, iat, exp), key);
  const tokens: TokenSet = { access_token, expires_in: lifetimeSeconds, token_type: 'Bearer' };
  if (grant.scope.split(' ').includes('openid')) {
    const idClaims = { ...buildIdTokenClaims(grant, iat, exp), at_hash: atHash(access_token) };
    tokens.id_token = await signCognitoJwt(idClaims, key);
  }
  return tokens;
}
