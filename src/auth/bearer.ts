import type { AuthCore } from './context';
import { TokenNotValid } from './errors';
import type { AccessTokenClaims } from './tokens/types';
import { verifyAccessToken } from './tokens/verify';

/** The token of an `Authorization: Bearer <token>` header, or null. */
export function readBearerToken(headers: Headers): string | null {
  const value = headers.get('authorization');
  const match = value ? /^Bearer[ ]+([A-Za-z0-9\-_.]+)\s*$/i.exec(value) : null;
  return match?.[1] ?? null;
}

/**
 * Verifies the request's Bearer access token and returns its claims.
 * @throws TokenNotValid (401 with `WWW-Authenticate: Bearer`) when it is missing or invalid.
 */
export async function verifyBearer(core: AuthCore, headers: Headers): Promise<AccessTokenClaims> {
  const token = readBearerToken(headers);
  if (!token)
    throw new TokenNotValid('Authentication credentials were not provided.', { bearer: true });
  const result = verifyAccessToken(core.keyring, core.config, token);
  if (!result.ok)
    throw new TokenNotValid('Given token not valid for any token type.', { bearer: true });
  return result.claims;
}
