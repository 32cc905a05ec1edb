import { NextResponse, type NextRequest } from 'next/server';
import { verifyBearer } from './bearer';
import { getAuthCore } from './context';
import { authCookieName } from './cookies/names';
import { AuthError, toErrorResponse } from './errors';
import { verifySessionToken } from './tokens/verify';

/** The request headers the proxy sets for the routes behind it (stripped from every incoming request first). */
export const IDENTITY_HEADERS = {
  userId: 'x-auth-user-id',
  sessionId: 'x-auth-session-id',
  /** The page's path and query, for requireUser()'s `next` when the session has ended since. */
  path: 'x-auth-path',
} as const;

/** Options of {@link authMiddleware}. */
export interface AuthMiddlewareOptions {
  /** Path prefixes answered as APIs (Bearer token, 401 JSON); every other matched path is a page. */
  api?: string[];
  /** Where pages send signed-out visitors, with the original path and query in `next`. */
  signInPath?: string;
  /** Path prefixes that are matched but let through without a check. */
  publicPaths?: string[];
}

const under = (pathname: string, prefixes: string[]) =>
  prefixes.some((p) => pathname === p || pathname.startsWith(p.endsWith('/') ? p : `${p}/`));

function passWith(
  request: NextRequest,
  identity: { userId: string; sid?: string } | null,
): NextResponse {
  const headers = new Headers(request.headers);
  // A client must never be able to claim an identity: drop whatever it sent, then set ours.
  headers.delete(IDENTITY_HEADERS.userId);
  headers.delete(IDENTITY_HEADERS.sessionId);
  headers.delete(IDENTITY_HEADERS.path);
  if (identity) {
    headers.set(IDENTITY_HEADERS.userId, identity.userId);
    if (identity.sid) headers.set(IDENTITY_HEADERS.sessionId, identity.sid);
  }
  const { pathname, search } = request.nextUrl;
  headers.set(IDENTITY_HEADERS.path, `${pathname}${search}`);
  return NextResponse.next({ request: { headers } });
}

/**
 * Builds the function proxy.ts exports. It checks what its `config.matcher` sends it: pages need
 * a valid session cookie (its signature and expiry; no database), else a redirect to the sign-in
 * page with `next`; API prefixes need a valid Bearer access token, else 401 JSON with
 * `WWW-Authenticate: Bearer`. This is the optimistic check: handlers check again (withAuth), so
 * a request that skips the proxy (CVE-2025-29927) still meets the handler's verification.
 * @example export const proxy = authMiddleware({ signInPath: '/login', api: ['/api/admin'] });
 */
export function authMiddleware({
  api = [],
  signInPath = '/login',
  publicPaths = [],
}: AuthMiddlewareOptions = {}) {
  return async function proxy(request: NextRequest): Promise<NextResponse | Response> {
    const { pathname, search } = request.nextUrl;
    if (pathname === signInPath || under(pathname, publicPaths)) return passWith(request, null);
    const core = await getAuthCore();
    if (under(pathname, api)) {
      try {
        const claims = await verifyBearer(core, request.headers);
        return passWith(request, { userId: claims.sub });
      } catch (error) {
        if (error instanceof AuthError) return toErrorResponse(error);
        throw error;
      }
    }
    const session = verifySessionToken(
      core.keyring,
      request.cookies.get(authCookieName(core.config, core.config.sessionCookieName))?.value,
    );
    if (session) return passWith(request, { userId: session.sub, sid: session.sid });
    const target = new URL(signInPath, request.url);
    target.searchParams.set('next', `${pathname}${search}`);
    return NextResponse.redirect(target);
  };
}
