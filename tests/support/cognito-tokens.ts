import { cognitoIssuer } from '@/dev/idp-local/config';
import { generateSigningKey, publicJwks, type PublicJwks } from '@/dev/idp-local/keys';
import {
  applyOverrides,
  buildAccessTokenClaims,
  buildIdTokenClaims,
  epochSeconds,
  newGrant,
  signCognitoJwt,
  type Claims,
  type TokenUser,
} from '@/dev/idp-local/tokens';
import { DEMO_USER, stableSub } from '@/dev/idp-local/users';

/** Pool settings the minted tokens claim to come from. */
export interface CognitoTokenMinterOptions {
  region?: string;
  userPoolId: string;
  clientId: string;
}

/** Knobs for one minted token pair. */
export interface MintOptions {
  /** Claims merged into the id token; `undefined` removes a claim. */
  idClaims?: Claims;
  /** Claims merged into the access token; `undefined` removes a claim. */
  accessClaims?: Claims;
  /** Overrides the `kid` header, e.g. with one absent from the JWKS. */
  kid?: string;
  /** Signs with a key that is not in `jwks` (same kid), so signature checks must fail. */
  signWithOtherKey?: boolean;
  /** Seconds until `exp`; zero or negative mints already-expired tokens. */
  expiresInSeconds?: number;
  /** Scope of the access token (default `openid email profile`). */
  scope?: string;
}

/** A minted pair plus the claims that went into it. */
export interface MintedTokens {
  id_token: string;
  access_token: string;
  idClaims: Claims;
  accessClaims: Claims;
}

/** A test-only signer of Cognito-shaped tokens whose public keys the app under test can trust. */
export interface CognitoTokenMinter {
  jwks: PublicJwks;
  issuer: string;
  clientId: string;
  userPoolId: string;
  /** The user every minted token describes unless overridden. */
  user: TokenUser;
  mint(options?: MintOptions): Promise<MintedTokens>;
}

/** Creates a minter with a fresh trusted key and an untrusted one, reusing the local IdP's claim builders. */
export function createCognitoTokenMinter(options: CognitoTokenMinterOptions): CognitoTokenMinter {
  const region = options.region ?? options.userPoolId.split('_')[0] ?? 'us-east-1';
  const issuer = cognitoIssuer(region, options.userPoolId);
  const trusted = generateSigningKey();
  const untrusted = generateSigningKey();
  const user: TokenUser = {
    sub: stableSub(options.userPoolId, DEMO_USER.username),
    username: DEMO_USER.username,
    email: DEMO_USER.email,
    emailVerified: true,
    givenName: DEMO_USER.givenName,
    familyName: DEMO_USER.familyName,
  };
  return {
    jwks: publicJwks([trusted]),
    issuer,
    clientId: options.clientId,
    userPoolId: options.userPoolId,
    user,
    async mint(mint = {}) {
      const lifetime = mint.expiresInSeconds ?? 3600;
      const now = epochSeconds();
      const exp = now + lifetime;
      // An expired token was issued an hour before it expired, not in the future.
      const iat = lifetime > 0 ? now : exp - 3600;
      const grant = newGrant({
        issuer,
        clientId: options.clientId,
        user,
        scope: mint.scope ?? 'openid email profile',
        authTime: iat,
      });
      const idClaims = applyOverrides(buildIdTokenClaims(grant, iat, exp), mint.idClaims);
      const accessClaims = applyOverrides(
        buildAccessTokenClaims(grant, iat, exp),
        mint.accessClaims,
      );
      const key = mint.signWithOtherKey ? untrusted : trusted;
      const kid = mint.kid ?? trusted.kid;
      return {
        id_token: await signCognitoJwt(idClaims, key, kid),
        access_token: await signCognitoJwt(accessClaims, key, kid),
        idClaims,
        accessClaims,
      };
    },
  };
}
