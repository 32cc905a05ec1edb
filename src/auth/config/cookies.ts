import type { CookiePrefix } from '../cookies/names';
import type { DefinedOptions } from './define';
import type { ParsedEnv } from './env-schema';
import { fail } from './errors';
import type { AuthConfig } from './types';

type CookieSettings = Pick<
  AuthConfig,
  | 'refreshCookieName'
  | 'refreshCookiePath'
  | 'csrfCookieName'
  | 'sessionCookieName'
  | 'cookieSalt'
  | 'cookieSecure'
  | 'cookiePrefix'
>;

/**
 * The auth cookies: the seed's names, `Secure` (production refuses `false`) and the optional
 * `__Host-` / `__Secure-` prefix with what it demands of the other two settings.
 */
export function resolveCookies(
  options: DefinedOptions,
  env: ParsedEnv,
  production: boolean,
): CookieSettings {
  const secureFromEnv = env.cookieSecure !== undefined;
  const cookieSecure = env.cookieSecure ?? options.cookieSecure ?? 'auto';
  if (production && cookieSecure === false)
    fail(
      `${secureFromEnv ? 'AUTH_COOKIE_SECURE=false' : 'cookieSecure: false (src/auth.config.ts)'} is refused in production: the session cookies would travel over plain http. Remove it (the default, auto, makes them Secure in production) and serve the app over https`,
    );

  const prefixFromEnv = env.cookiePrefix !== undefined;
  const cookiePrefix: CookiePrefix = env.cookiePrefix ?? options.cookiePrefix ?? '';
  // Browsers drop a prefixed cookie that is not Secure: every sign-in would silently fail.
  if (cookiePrefix && cookieSecure === false)
    fail(
      `cookiePrefix "${cookiePrefix}" (${prefixFromEnv ? 'AUTH_COOKIE_PREFIX' : 'src/auth.config.ts'}) needs Secure cookies, but cookieSecure is false (${secureFromEnv ? 'AUTH_COOKIE_SECURE' : 'src/auth.config.ts'}): browsers refuse a ${cookiePrefix} cookie without Secure. Remove ${secureFromEnv ? 'AUTH_COOKIE_SECURE=false' : 'cookieSecure: false'}, or leave the prefix unset for plain-http development`,
    );

  return {
    refreshCookieName: options.refreshCookieName ?? 'refresh_cookie',
    refreshCookiePath: refreshCookiePath(options, cookiePrefix),
    csrfCookieName: options.csrfCookieName ?? 'CSRF_token',
    sessionCookieName: options.sessionCookieName ?? 'session',
    cookieSalt: options.cookieSalt ?? 'extra',
    cookieSecure,
    cookiePrefix,
  };
}

/** The refresh and CSRF cookies' path: `/auth` by default, `/` under `__Host-` (the prefix demands it). */
function refreshCookiePath(options: DefinedOptions, prefix: CookiePrefix): string {
  if (prefix !== '__Host-') return options.refreshCookiePath ?? '/auth';
  if (options.refreshCookiePath !== undefined && options.refreshCookiePath !== '/')
    fail(
      `refreshCookiePath "${options.refreshCookiePath}" cannot be used with cookiePrefix "__Host-": a __Host- cookie must have Path=/. Remove refreshCookiePath (the cookies then use /) or choose the "__Secure-" prefix`,
    );
  return '/';
}
