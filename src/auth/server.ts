import 'server-only';
import { cookies } from 'next/headers';
import { verifyBearer } from './bearer';
import { getAuthCore } from './context';
import { authCookieName } from './cookies/names';
import { AuthError, PermissionDenied, toErrorResponse } from './errors';
import { describeError } from '@/db/errors';
import { log } from './events';
import type { AccessTokenClaims } from './tokens/types';
import { verifySessionToken } from './tokens/verify';

export type { AccessTokenClaims } from './tokens/types';

/**
 * The verified claims of the request's Bearer access token.
 * @throws TokenNotValid (401 with `WWW-Authenticate: Bearer`) when it is missing or invalid.
 * @example const claims = await requireUser(request); // claims.user_id, claims.username
 */
export async function requireUser(request: Request): Promise<AccessTokenClaims> {
  return verifyBearer(await getAuthCore(), request.headers);
}

/** Like {@link requireUser}, but null instead of an error (for routes that serve everyone). */
export async function getUser(request: Request): Promise<AccessTokenClaims | null> {
  try {
    return await requireUser(request);
  } catch (error) {
    if (error instanceof AuthError) return null;
    throw error;
  }
}

/** Options of {@link withAuth}. */
export interface WithAuthOptions {
  /** An extra check on the claims (roles); false answers 403 `permission_denied`. */
  allow?: (claims: AccessTokenClaims) => boolean;
}

/** True when the claims carry a role (the template's `roles` claim) or staff status (`is_staff`). */
export function hasRole(claims: AccessTokenClaims, role: string): boolean {
  if (role === 'staff' && claims.is_staff === true) return true;
  return Array.isArray(claims.roles) && claims.roles.includes(role);
}

/**
 * Wraps a route handler so it runs only for a valid Bearer access token: 401 JSON with
 * `WWW-Authenticate: Bearer` otherwise (403 when `allow` says no). The handler checks for itself,
 * so the route stays protected even when a request never went through the proxy.
 * @example export const GET = withAuth(async (request, { claims }) => Response.json({ id: claims.user_id }));
 */
export function withAuth<Context = unknown>(
  handler: (
    request: Request,
    auth: { claims: AccessTokenClaims; context: Context },
  ) => Promise<Response> | Response,
  options: WithAuthOptions = {},
): (request: Request, context: Context) => Promise<Response> {
  return async (request, context) => {
    try {
      const claims = await requireUser(request);
      if (options.allow && !options.allow(claims)) throw new PermissionDenied();
      return await handler(request, { claims, context });
    } catch (error) {
      return toErrorResponse(error, {
        logUnexpected: (e) =>
          log({ logLevel: 'error' }, 'error', 'unexpected error', {
            error: describeError(e, { stack: true }),
          }),
      });
    }
  };
}

/**
 * The session cookie's identity in a Server Component or Server Action (`next/headers`): who is
 * signed in, without database access. It proves a session existed when the cookie was issued;
 * use the Bearer token (requireUser) for anything that reads or changes data.
 */
export async function getSession(): Promise<{
  userId: number;
  sid: string;
  expiresAt: Date;
} | null> {
  const core = await getAuthCore();
  const claims = await verifySessionToken(
    core.keyring,
    (await cookies()).get(authCookieName(core.config, core.config.sessionCookieName))?.value,
  );
  return claims
    ? { userId: Number(claims.sub), sid: claims.sid, expiresAt: new Date(claims.exp * 1000) }
    : null;
}
