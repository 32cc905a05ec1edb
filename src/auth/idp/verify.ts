import { createHash } from 'node:crypto';
import { CognitoJwtVerifier, JwtVerifier } from 'aws-jwt-verify';
import { FetchError, JwtBaseError } from 'aws-jwt-verify/error';
import type { JwtHeader, JwtPayload } from 'aws-jwt-verify/jwt-model';
import type { IdpSettings } from '../config/types';
import { AuthenticationFailed, EmailNotVerified, ServiceUnavailable } from '../errors';
import { createJwksCache, IdpUnavailable } from './jwks-source';

/** Who the IdP says the user is, after both tokens verified. */
export interface IdpIdentity {
  issuer: string;
  subject: string;
  email: string;
  emailVerified: boolean;
  preferredUsername: string;
  givenName: string;
  familyName: string;
  /** The id token's replay key ({@link replayKey}), remembered until `idTokenExpiresAt` so it is accepted once. */
  idTokenHash: string;
  idTokenExpiresAt: Date;
}

/** Verifies an id token and an access token from the configured IdP. */
export interface IdpVerifier {
  verifyId(token: string): Promise<JwtPayload>;
  /** Resolves to null when the access token cannot be checked (an opaque token of a generic IdP). */
  verifyAccess(token: string): Promise<JwtPayload | null>;
}

/**
 * Builds the verifier for `idp`: aws-jwt-verify's CognitoJwtVerifier (issuer of the user pool,
 * `token_use`, `aud` / `client_id`, signature, expiry) or, for `provider: "oidc"`, its generic
 * JwtVerifier (issuer, audience = client id). Null when the IdP is not configured.
 */
export function createIdpVerifier(idp: IdpSettings): IdpVerifier | null {
  if (!idp.clientId || !idp.issuer) return null;
  const jwksCache = createJwksCache(idp.jwksUrl);
  if (idp.provider === 'aws') {
    if (!idp.userPoolId) return null;
    const id = CognitoJwtVerifier.create(
      { userPoolId: idp.userPoolId, tokenUse: 'id', clientId: idp.clientId },
      { jwksCache },
    );
    const access = CognitoJwtVerifier.create(
      { userPoolId: idp.userPoolId, tokenUse: 'access', clientId: idp.clientId },
      { jwksCache },
    );
    return { verifyId: (t) => id.verify(t), verifyAccess: (t) => access.verify(t) };
  }
  const jwksUri = idp.jwksUrl ?? undefined;
  const clientId = idp.clientId;
  const id = JwtVerifier.create(
    {
      issuer: idp.issuer,
      audience: clientId,
      jwksUri,
      customJwtCheck: ({ header, payload }) => checkOidcIdToken(header, payload, clientId),
    },
    { jwksCache },
  );
  const access = JwtVerifier.create(
    {
      issuer: idp.issuer,
      audience: null,
      jwksUri,
      customJwtCheck: ({ payload }) => checkOidcAccessToken(payload, clientId),
    },
    { jwksCache },
  );
  return {
    verifyId: (t) => id.verify(t),
    // Many generic IdPs issue opaque access tokens: only a JWT can be checked.
    verifyAccess: (t) => (t.split('.').length === 3 ? access.verify(t) : Promise.resolve(null)),
  };
}

/** The `typ` headers of access tokens (RFC 9068), compared case-insensitively as media types are. */
const ACCESS_TOKEN_TYPES = new Set(['at+jwt', 'application/at+jwt']);

/**
 * A generic OIDC id token must be one (docs/contract.md section 2): an access token of the same
 * issuer whose `aud` happens to be the client id would otherwise pass as an id token. The
 * verifier has already checked that `aud` contains the client id.
 */
function checkOidcIdToken(header: JwtHeader, payload: JwtPayload, clientId: string): void {
  const typ = typeof header.typ === 'string' ? header.typ.toLowerCase() : '';
  if (
    ACCESS_TOKEN_TYPES.has(typ) ||
    (payload.azp !== undefined && payload.azp !== clientId) ||
    (payload.token_use !== undefined && payload.token_use !== 'id')
  )
    throw new AuthenticationFailed('The identity provider token is not an id token for this app.');
}

/** A generic OIDC access token that is a JWT must be issued to this client (`aud`, `client_id` or `azp`). */
function checkOidcAccessToken(payload: JwtPayload, clientId: string): void {
  const audience = Array.isArray(payload.aud) ? payload.aud : [payload.aud];
  if (!audience.includes(clientId) && payload.client_id !== clientId && payload.azp !== clientId)
    throw new AuthenticationFailed('The identity provider access token is not for this app.');
}

/** A claim as text the database can store: well-formed, without control characters (NUL!), bounded. */
function asText(value: unknown, max = 254): string {
  return typeof value === 'string'
    ? value
        .toWellFormed()
        .replace(/\p{Cc}/gu, '')
        .slice(0, max)
    : '';
}

/**
 * What makes two id tokens the same token, for replay detection (docs/contract.md section 2): the
 * issuer and `jti` when the token has one, else the signed header and payload as sent. Never the
 * signature, which is not unique: ECDSA accepts (r, n-s) as well as (r, s), and base64url allows
 * respellings of the same bytes. Hashed, with the kind as prefix so the two never collide.
 */
function replayKey(token: string, issuer: string, jti: unknown): string {
  const [header = '', payload = ''] = token.split('.');
  const identity =
    typeof jti === 'string' && jti !== '' ? `jti\n${issuer}\n${jti}` : `jws\n${header}.${payload}`;
  return createHash('sha256').update(identity).digest('hex');
}

/**
 * Cognito sends `email_verified` as a boolean in tokens, as a string in userInfo. Only exactly
 * `true` / `"true"` is verified and only `false` / `"false"` refused; anything else (`"FALSE"`,
 * `0`, a missing claim) is null: not verified, so never linked and never a user's verified address.
 */
function asVerified(value: unknown): boolean | null {
  if (value === true || value === 'true') return true;
  if (value === false || value === 'false') return false;
  return null;
}

async function guard<T>(run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    if (error instanceof IdpUnavailable || error instanceof FetchError) {
      throw new ServiceUnavailable('The identity provider cannot be reached. Try again shortly.');
    }
    // Anything else the verifier throws on a hostile token is a rejection too: aws-jwt-verify
    // formats the error for an out-of-range `exp` with toISOString(), which throws a RangeError.
    if (
      error instanceof JwtBaseError ||
      error instanceof RangeError ||
      error instanceof SyntaxError
    ) {
      throw new AuthenticationFailed('The identity provider token was rejected.');
    }
    throw error;
  }
}

/**
 * Verifies the IdP's id and access tokens for a social exchange (docs/contract.md section 2).
 * @throws AuthenticationFailed (401) when either token is rejected, the `sub`s differ or the id
 * token is older than idTokenMaxAge; EmailNotVerified (403) when `email_verified` is false;
 * ServiceUnavailable (503) when the IdP's keys cannot be fetched.
 */
export async function verifyIdpTokens(
  verifier: IdpVerifier,
  tokens: { idToken: string; accessToken: string },
  { now, idTokenMaxAgeSeconds }: { now: Date; idTokenMaxAgeSeconds: number },
): Promise<IdpIdentity> {
  const [id, access] = await guard(() =>
    Promise.all([verifier.verifyId(tokens.idToken), verifier.verifyAccess(tokens.accessToken)]),
  );
  const subject = typeof id.sub === 'string' ? id.sub : '';
  // The subject is stored as it is: it must be text a database can hold.
  const storable = subject.length > 0 && subject.length <= 255 && asText(subject, 255) === subject;
  if (!storable || (access && access.sub !== subject)) {
    throw new AuthenticationFailed('The identity provider tokens do not match.');
  }
  const authTime = typeof id.auth_time === 'number' ? id.auth_time : id.iat;
  const nowSeconds = now.getTime() / 1000;
  if (
    typeof authTime !== 'number' ||
    !Number.isFinite(authTime) ||
    nowSeconds - authTime > idTokenMaxAgeSeconds
  ) {
    throw new AuthenticationFailed('The identity provider token is too old.');
  }
  const emailVerified = asVerified(id.email_verified);
  if (emailVerified === false) throw new EmailNotVerified();
  const issuer = asText(id.iss, 1024);
  return {
    issuer,
    subject,
    email: asText(id.email),
    emailVerified: emailVerified === true,
    preferredUsername:
      asText(id['cognito:username']) ||
      asText(id.preferred_username) ||
      asText(id.email).split('@')[0] ||
      '',
    givenName: asText(id.given_name, 150),
    familyName: asText(id.family_name, 150),
    idTokenHash: replayKey(tokens.idToken, issuer, id.jti),
    // Remembered until it expires, or until it is too old to be accepted anyway.
    idTokenExpiresAt: new Date(
      Math.min(typeof id.exp === 'number' ? id.exp : Infinity, authTime + idTokenMaxAgeSeconds) *
        1000,
    ),
  };
}
