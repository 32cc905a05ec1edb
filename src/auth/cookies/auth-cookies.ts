import { parseCookie, stringifySetCookie, type SerializeOptions } from 'cookie';
import type { AuthConfig } from '../config/types';
import { authCookieName } from './names';
import type { CookieSigner } from './signing';

type CookieConfig = Pick<
  AuthConfig,
  | 'refreshCookieName'
  | 'refreshCookiePath'
  | 'csrfCookieName'
  | 'sessionCookieName'
  | 'cookieSecure'
  | 'cookiePrefix'
  | 'production'
>;

/** The values of the three auth cookies to set (docs/contract.md section 3). */
export interface AuthCookieValues {
  refreshToken: string;
  csrfToken: string;
  sessionToken: string;
  /** The refresh token's expiry, Unix seconds: every cookie expires with it. */
  expiresAt: number;
}

const EPOCH = new Date(0);
/** The most of a Cookie header that is read (Node's header limit is 16 KiB for all headers). */
const MAX_COOKIE_HEADER = 16_384;

/**
 * Secure unless in development on plain http (docs/contract.md section 3), or as configured. A
 * prefixed name is always Secure: browsers refuse a `__Host-` or `__Secure-` cookie without it
 * (and start-up refuses a prefix with cookieSecure false).
 */
export function isSecure(config: CookieConfig, requestUrl: string): boolean {
  if (config.cookiePrefix) return true;
  if (config.cookieSecure !== 'auto') return config.cookieSecure;
  return config.production || new URL(requestUrl).protocol === 'https:';
}

/** The three cookies' names as set on the wire: the configured prefix, then each base name. */
function names(config: CookieConfig) {
  return {
    refresh: authCookieName(config, config.refreshCookieName),
    csrf: authCookieName(config, config.csrfCookieName),
    session: authCookieName(config, config.sessionCookieName),
  };
}

function refreshAttributes(config: CookieConfig, secure: boolean, expires: Date): SerializeOptions {
  return { httpOnly: true, sameSite: 'strict', path: config.refreshCookiePath, secure, expires };
}

function sessionAttributes(secure: boolean, expires: Date): SerializeOptions {
  return { httpOnly: true, sameSite: 'lax', path: '/', secure, expires };
}

/** Builds the three `Set-Cookie` values: refresh and CSRF (signed, Path=/auth, Strict) and session (Path=/, Lax). */
export function setAuthCookies(
  config: CookieConfig,
  signer: CookieSigner,
  values: AuthCookieValues,
  secure: boolean,
): string[] {
  const expires = new Date(values.expiresAt * 1000);
  const name = names(config);
  return [
    stringifySetCookie(
      name.refresh,
      signer.sign(name.refresh, values.refreshToken),
      refreshAttributes(config, secure, expires),
    ),
    stringifySetCookie(
      name.csrf,
      signer.sign(name.csrf, values.csrfToken),
      refreshAttributes(config, secure, expires),
    ),
    stringifySetCookie(name.session, values.sessionToken, sessionAttributes(secure, expires)),
  ];
}

/** Builds the `Set-Cookie` values that clear all three cookies: same names and paths, expiry in the past. */
export function clearAuthCookies(config: CookieConfig, secure: boolean): string[] {
  const name = names(config);
  return [
    stringifySetCookie(name.refresh, '', refreshAttributes(config, secure, EPOCH)),
    stringifySetCookie(name.csrf, '', refreshAttributes(config, secure, EPOCH)),
    stringifySetCookie(name.session, '', sessionAttributes(secure, EPOCH)),
  ];
}

/** The auth cookies of a request, signatures checked: a cookie that fails is absent (null). */
export interface RequestAuthCookies {
  refreshToken: string | null;
  csrfToken: string | null;
  sessionToken: string | null;
  /**
   * The request carries the refresh or the CSRF cookie twice. A browser sends two only when
   * another host (a sibling subdomain) planted one for the parent domain or a longer path; which
   * is the victim's cannot be told, so refresh and log-off refuse the request.
   */
  duplicated: boolean;
}

/** How often each of `names` occurs in a Cookie header (RFC 6265 `name=value` pairs, `; `-separated). */
function occurrences(header: string, names: string[]): number[] {
  const counts = names.map(() => 0);
  for (const pair of header.split(';')) {
    const at = pair.indexOf('=');
    if (at < 0) continue; // a nameless cookie: its text is a value, not a name
    const index = names.indexOf(pair.slice(0, at).trim());
    if (index >= 0) counts[index]! += 1;
  }
  return counts;
}

/** Reads the auth cookies from a `Cookie` header. */
export function readAuthCookies(
  config: CookieConfig,
  signer: CookieSigner,
  cookieHeader: string | null,
): RequestAuthCookies {
  const name = names(config);
  const header = cookieHeader?.slice(0, MAX_COOKIE_HEADER) ?? '';
  let cookies: Record<string, string | undefined> = {};
  try {
    cookies = header ? parseCookie(header) : {};
  } catch {
    cookies = {};
  }
  return {
    refreshToken: signer.unsign(name.refresh, cookies[name.refresh]),
    csrfToken: signer.unsign(name.csrf, cookies[name.csrf]),
    sessionToken: cookies[name.session] || null,
    duplicated: occurrences(header, [name.refresh, name.csrf]).some((count) => count > 1),
  };
}
