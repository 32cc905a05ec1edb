import { randomUUID } from 'node:crypto';
import { exportJWK, generateKeyPair, SignJWT, type JWK } from 'jose';

/** The order n of the P-256 group: (r, n - s) is a second valid ECDSA signature for (r, s). */
const P256_ORDER = 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n;

/** A claim set; an `undefined` value leaves the claim out. */
export type OidcClaims = Record<string, unknown>;

/** A stand-in generic OIDC provider that signs ES256 tokens with a key its JWKS publishes. */
export interface OidcTokenMinter {
  issuer: string;
  clientId: string;
  jwks: { keys: JWK[] };
  /** An id token (aud = client id, fresh `jti`, an hour valid) with claim and header overrides. */
  idToken(claims?: OidcClaims, header?: Record<string, unknown>): Promise<string>;
  /** An RFC 9068 access token (`typ: at+jwt`, aud = client id) with claim overrides. */
  accessToken(claims?: OidcClaims): Promise<string>;
}

function withoutUndefined(claims: OidcClaims): OidcClaims {
  return Object.fromEntries(Object.entries(claims).filter(([, value]) => value !== undefined));
}

/** Creates a minter with a fresh P-256 key. */
export async function createOidcTokenMinter({
  issuer,
  clientId,
}: {
  issuer: string;
  clientId: string;
}): Promise<OidcTokenMinter> {
  const { privateKey, publicKey } = await generateKeyPair('ES256');
  const kid = randomUUID();
  const publicJwk = { ...(await exportJWK(publicKey)), kid, alg: 'ES256', use: 'sig' };
  const sign = (claims: OidcClaims, header: Record<string, unknown>) => {
    const now = Math.floor(Date.now() / 1000);
    const payload = withoutUndefined({
      iss: issuer,
      iat: now,
      auth_time: now,
      exp: now + 3600,
      ...claims,
    });
    return new SignJWT(payload)
      .setProtectedHeader({ alg: 'ES256', kid, ...header })
      .sign(privateKey);
  };
  return {
    issuer,
    clientId,
    jwks: { keys: [publicJwk] },
    idToken: (claims = {}, header = {}) =>
      sign(
        { aud: clientId, jti: randomUUID(), email_verified: true, ...claims },
        { typ: 'JWT', ...header },
      ),
    accessToken: (claims = {}) =>
      sign(
        { aud: clientId, client_id: clientId, jti: randomUUID(), scope: 'openid', ...claims },
        { typ: 'at+jwt' },
      ),
  };
}

/**
 * The same ES256 token with its signature (r, s) replaced by (r, n - s): a different string that
 * every ECDSA verifier accepts, over the same header and payload.
 */
export function malleateEs256(token: string): string {
  const [header, payload, signature] = token.split('.');
  const bytes = Buffer.from(signature!, 'base64url');
  const s = BigInt(`0x${bytes.subarray(32).toString('hex')}`);
  const flipped = Buffer.from((P256_ORDER - s).toString(16).padStart(64, '0'), 'hex');
  return `${header}.${payload}.${Buffer.concat([bytes.subarray(0, 32), flipped]).toString('base64url')}`;
}
