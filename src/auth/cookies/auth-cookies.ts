import { parseCookie, stringifySetCookie, type SerializeOptions } from 'cookie';
import type { AuthConfig } from '../config/types';
import type { CookieSigner } from './signing';

type CookieConfig = Pick<
  AuthConfig,
  | 'refreshCookieName'
  | 'refreshCookiePath'
  | 'csrfCookieName'
  | 'sessionCookieName'
  | 'cookieSecure'
  | 'production'
>;

/** The values of the three auth cookies to set (CONTRACT.md section 3). */
export interface AuthCookieValues {
  refreshToken: string;
  csrfToken: string;
  sessionToken: string;
  /** The refresh token's expiry, Unix seconds: every cookie expires with it. */
  expiresAt: number;
}

const EPOCH = new Date(0);

/** Secure unless in development on plain http (CONTRACT.md section 3), or as configured. */
export function isSecure(config: CookieConfig, requestUrl: string): boolean {
  if (config.cookieSecure !== 'auto') return config.cookieSecure;
  return config.production || new URL(requestUrl).protocol === 'https:';
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
  return [
    stringifySetCookie(
      config.refreshCookieName,
      signer.sign(config.refreshCookieName, values.refreshToken),
      refreshAttributes(config, secure, expires),
    ),
    stringifySetCookie(
      config.csrfCookieName,
      signer.sign(config.csrfCookieName, values.csrfToken),
      refreshAttributes(config, secure, expires),
    ),
    stringifySetCookie(
      config.sessionCookieName,
      values.sessionToken,
      sessionAttributes(secure, expires),
    ),
  ];
}

/** Builds the `Set-Cookie` values that clear all three cookies: same names and paths, expiry in the past. */
export function clearAuthCookies(config: CookieConfig, secure: boolean): string[] {
  return [
    stringifySetCookie(config.refreshCookieName, '', refreshAttributes(config, secure, EPOCH)),
    stringifySetCookie(config.csrfCookieName, '', refreshAttributes(config, secure, EPOCH)),
    stringifySetCookie(config.sessionCookieName, '', sessionAttributes(secure, EPOCH)),
  ];
}

/** The auth cookies of a request, signatures checked: a cookie that fails is absent (null). */
export interface RequestAuthCookies {
  refreshToken: string | null;
  csrfToken: string | null;
  sessionToken: string | null;
}

/** Reads the auth cookies from a `Cookie` header. */
export function readAuthCookies(
  config: CookieConfig,
  signer: CookieSigner,
  cookieHeader: string | null,
): RequestAuthCookies {
  let cookies: Record<string, string | undefined> = {};
  try {
    cookies = cookieHeader ? parseCookie(cookieHeader.slice(0, 16_384)) : {};
  } catch {
    cookies = {};
  }
  return {
    refreshToken: signer.unsign(config.refreshCookieName, cookies[config.refreshCookieName]),
    csrfToken: signer.unsign(config.csrfCookieName, cookies[config.csrfCookieName]),
    sessionToken: cookies[config.sessionCookieName] || null,
  };
}
