import 'server-only';
import { headers } from 'next/headers';
import { notFound, redirect } from 'next/navigation';
import { cache } from 'react';
import type { AppAuth } from '@/auth.config';
import { sessionIsLive } from '@/db/queries/current-user';
import { verifyBearer } from './bearer';
import { getAuthContext, getAuthCore } from './context';
import { readAuthCookies } from './cookies/auth-cookies';
import { AuthError, PermissionDenied, TokenNotValid, toErrorResponse } from './errors';
import { IDENTITY_HEADERS } from './middleware';
import {
  checkIdentity,
  loadSessionUser,
  type IdentityCheck,
  type SessionClaims,
} from './services/current-user';
import type { AccessTokenClaims } from './tokens/types';
import { verifySessionToken } from './tokens/verify';

export { hasRole, type IdentityCheck, type SessionClaims } from './services/current-user';

/**
 * The signed-in user in a Server Component, layout, Server Action or route handler: what the
 * project's `serializeUser` returns, plus `id`, `username` and `claims` (the registered claims
 * `sid`, `auth_time`, `amr` and the custom claims), all typed from `src/auth.config.ts`.
 */
export type CurrentUser = AppAuth['user'] & {
  id: number;
  username: string;
  claims: SessionClaims & AppAuth['claims'];
};

/** The verified claims of a Bearer access token, custom claims typed from `src/auth.config.ts`. */
export type ApiClaims = AccessTokenClaims & AppAuth['claims'];

/** Where requireUser() sends a visitor it cannot let in (the demo's sign-in page). */
export const SIGN_IN_PATH = '/login';

/**
 * The request's session, checked in the database once per request: React's cache() shares the
 * answer between every layout, page and component of one render. Revocation (log-off, log-off
 * everywhere, a revoked session, a new password, deactivation, deletion) shows on the next request.
 */
const currentSessionUser = cache(async (): Promise<CurrentUser | null> => {
  const ctx = await getAuthContext();
  const { sessionToken } = readAuthCookies(ctx.config, ctx.signer, (await headers()).get('cookie'));
  const session = verifySessionToken(ctx.keyring, sessionToken ?? undefined);
  if (!session) return null;
  // The one place the configured types meet the runtime: loadSessionUser builds the user with
  // the very serializer and claim getters that AppAuth is inferred from.
  return (await loadSessionUser(ctx, session, new Date())) as CurrentUser | null;
});

/**
 * The signed-in user, or null: nobody signed in, the session is over, the user is inactive, or
 * the user does not pass `check` (a role, a rule, or step-up with `maxAge` / `mfa`).
 * @example const user = await getCurrentUser(); // user?.username, user?.claims.roles
 */
export async function getCurrentUser(
  check: IdentityCheck<CurrentUser> = {},
): Promise<CurrentUser | null> {
  const user = await currentSessionUser();
  return user && checkIdentity(user, check, new Date()) === 'ok' ? user : null;
}

/** Options of {@link requireUser}: the checks, and where to send a visitor it turns away. */
export interface RequireUserOptions extends IdentityCheck<CurrentUser> {
  /** The path to come back to after signing in (default: the path the proxy saw, when it ran). */
  returnTo?: string;
  /** The sign-in page (default {@link SIGN_IN_PATH}). */
  signInPath?: string;
}

async function signInUrl(options: RequireUserOptions, stepUp: boolean): Promise<string> {
  const returnTo = options.returnTo ?? (await headers()).get(IDENTITY_HEADERS.path);
  const query = new URLSearchParams();
  // Only a same-origin path: the sign-in page checks `next` again before following it.
  if (returnTo && /^\/(?![/\\])/.test(returnTo)) query.set('next', returnTo);
  if (stepUp) query.set('reauth', '1');
  const search = query.toString();
  return `${options.signInPath ?? SIGN_IN_PATH}${search ? `?${search}` : ''}`;
}

/**
 * The signed-in user, or no render at all: nobody (or a session that has ended) redirects to
 * the sign-in page with `next`; a failed step-up (`maxAge`, `mfa`) redirects there with
 * `reauth=1` as well; a failed `role` / `allow` answers the not-found page (the page does not
 * say it exists).
 * @example const user = await requireUser({ role: 'staff' });
 */
export async function requireUser(options: RequireUserOptions = {}): Promise<CurrentUser> {
  const user = await currentSessionUser();
  const outcome = user ? checkIdentity(user, options, new Date()) : 'not_signed_in';
  if (user && outcome === 'ok') return user;
  if (outcome === 'forbidden') notFound();
  redirect(await signInUrl(options, outcome === 'step_up_required'));
}

/** Options of {@link requireClaims} and {@link withAuth}. */
export interface ClaimsOptions {
  /**
   * Also check in the database that the token's session is live and its user active (one
   * indexed read): log-off, revocation, a new password, deactivation and deletion then refuse
   * the token at once. Without it an access token stays valid until it expires
   * (accessTokenLifetime, 5 minutes by default), whatever happens to its session.
   */
  live?: boolean;
}

/**
 * The verified claims of the request's Bearer access token.
 * @throws TokenNotValid (401 with `WWW-Authenticate: Bearer`) when it is missing or invalid, or
 * (with `live`) when its session has ended.
 * @example const claims = await requireClaims(request, { live: true }); // claims.roles
 */
export async function requireClaims(
  request: Request,
  { live = false }: ClaimsOptions = {},
): Promise<ApiClaims> {
  const claims = await verifyBearer(await getAuthCore(), request.headers);
  if (live) {
    const { db } = await getAuthContext();
    const live = await sessionIsLive(db, {
      sid: claims.sid,
      userId: claims.user_id,
      now: new Date(),
    });
    if (!live) throw new TokenNotValid('The session of this token has ended.', { bearer: true });
  }
  // The token was signed with the claims AppAuth is inferred from (custom claims cannot
  // overwrite registered ones: checked at start-up).
  return claims as ApiClaims;
}

/** Like {@link requireClaims}, but null instead of an error (for routes that serve everyone). */
export async function getClaims(
  request: Request,
  options: ClaimsOptions = {},
): Promise<ApiClaims | null> {
  try {
    return await requireClaims(request, options);
  } catch (error) {
    if (error instanceof AuthError) return null;
    throw error;
  }
}

/** Options of {@link withAuth}. */
export interface WithAuthOptions extends ClaimsOptions {
  /** An extra check on the claims (roles); false answers 403 `permission_denied`. */
  allow?: (claims: ApiClaims) => boolean;
}

/**
 * Wraps a route handler so it runs only for a valid Bearer access token: 401 JSON with
 * `WWW-Authenticate: Bearer` otherwise (403 when `allow` says no). The handler checks for itself,
 * so the route stays protected even when a request never went through the proxy. With
 * `{ live: true }` a token whose session has ended is refused at once (see {@link ClaimsOptions}).
 * @example export const GET = withAuth(async (request, { claims }) => Response.json({ id: claims.user_id }), { live: true });
 */
export function withAuth<Context = unknown>(
  handler: (
    request: Request,
    auth: { claims: ApiClaims; context: Context },
  ) => Promise<Response> | Response,
  options: WithAuthOptions = {},
): (request: Request, context: Context) => Promise<Response> {
  return async (request, context) => {
    try {
      const claims = await requireClaims(request, options);
      if (options.allow && !options.allow(claims)) throw new PermissionDenied();
      return await handler(request, { claims, context });
    } catch (error) {
      return toErrorResponse(error, { path: new URL(request.url).pathname });
    }
  };
}
