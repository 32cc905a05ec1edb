import type { ExpiringStore } from './codes';
import type { PublicJwks, SigningKey } from './keys';
import type { TokenGrant } from './tokens';
import type { LocalIdpUser } from './users';

/** Options accepted by `startLocalIdp`. */
export interface LocalIdpOptions {
  /** Port to listen on; 0 picks a free one. */
  port?: number;
  host?: string;
  region?: string;
  userPoolId?: string;
  clientId?: string;
  /** Allowed `redirect_uri` values, matched exactly as Cognito does. */
  redirectUris?: string[];
  /** Allowed `logout_uri` / `post_logout_redirect_uri` values, matched exactly. */
  logoutUris?: string[];
  users?: LocalIdpUser[];
  accessTokenLifetimeSeconds?: number;
  /** Base URL advertised in discovery when it differs from the listening address. */
  publicUrl?: string;
  /** Signing key to use instead of a fresh in-memory one (e.g. a persisted key). */
  signingKey?: SigningKey;
}

/** Settings derived from the options, shared by every route. */
export interface IdpSettings {
  region: string;
  userPoolId: string;
  clientId: string;
  issuer: string;
  redirectUris: ReadonlySet<string>;
  logoutUris: ReadonlySet<string>;
  users: readonly LocalIdpUser[];
  lifetimeSeconds: number;
}

/** What an authorization code stands for until the token endpoint redeems it. */
export interface CodeGrant {
  grant: TokenGrant;
  redirectUri: string;
  codeChallenge: string;
}

/** Per-server state handed to the route handlers. */
export interface IdpContext extends IdpSettings {
  baseUrl: string;
  key: SigningKey;
  jwks: PublicJwks;
  codes: ExpiringStore<CodeGrant>;
  refreshTokens: ExpiringStore<TokenGrant>;
}

/** Returns Cognito's issuer URL for a user pool. */
export function cognitoIssuer(region: string, userPoolId: string): string {
  return `https://cognito-idp.${region}.amazonaws.com/${userPoolId}`;
}

/** Applies defaults and rejects option combinations Cognito itself could never produce. */
export function resolveSettings(options: LocalIdpOptions, users: LocalIdpUser[]): IdpSettings {
  const userPoolId = options.userPoolId ?? 'us-east-1_LocalDemo';
  const poolRegion = /^([a-z]{2}(?:-gov)?-[a-z]+-\d)_[A-Za-z0-9]+$/.exec(userPoolId)?.[1];
  if (!poolRegion)
    throw new Error(`Invalid user pool id "${userPoolId}" (expected e.g. us-east-1_Abc123)`);
  const region = options.region ?? poolRegion;
  // Verifiers derive the expected issuer from the pool id, so a different region could never verify.
  if (region !== poolRegion) {
    throw new Error(`Region "${region}" does not match user pool id "${userPoolId}"`);
  }
  const lifetimeSeconds = options.accessTokenLifetimeSeconds ?? 3600;
  if (!Number.isInteger(lifetimeSeconds) || lifetimeSeconds < 1) {
    throw new Error('accessTokenLifetimeSeconds must be a positive integer');
  }
  return {
    region,
    userPoolId,
    clientId: options.clientId ?? 'local-demo-client',
    issuer: cognitoIssuer(region, userPoolId),
    redirectUris: new Set(options.redirectUris ?? ['http://localhost:3000/callback']),
    logoutUris: new Set(options.logoutUris ?? ['http://localhost:3000/']),
    users,
    lifetimeSeconds,
  };
}
